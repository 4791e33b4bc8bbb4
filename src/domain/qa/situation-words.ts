/**
 * How people describe a child's situation, and how plans write the same facts. The fact names
 * are national vocabulary (the five groups come from the national 重点青少年 work), not one town's:
 * which category a fact points to is decided by looking for the `plan` words in each category's
 * own definition (situation.ts), so a plan that leaves 社区矫正 out of its 服刑 definition never
 * classifies a child by it.
 */

export type Fact =
  // a parent's state
  | 'prison'
  | 'correction'
  | 'detox'
  | 'death'
  | 'away'
  | 'home'
  | 'unable'
  | 'detained'
  | 'custody'
  | 'released'
  | 'voluntary'
  // the child's own state
  | 'beg'
  | 'noAbode'
  | 'leftHome'
  | 'notInSchool'
  | 'inSchool'
  | 'noJob'
  | 'working'
  | 'laidOff'
  | 'suspended'
  | 'notProsecuted'
  | 'noPunishment'
  | 'underAge'
  | 'repeated'
  | 'offence'
  | 'misconduct'
  | 'police'
  | 'livesWithParents';

/** Words a plan's definitions use for a fact; found there, they tie the fact to that category. */
export const PLAN_WORDS: Partial<Record<Fact, readonly string[]>> = {
  prison: ['服刑', '在押', '监狱'],
  correction: ['社区矫正'],
  detox: ['强制戒毒', '强制隔离戒毒'],
  death: ['死刑'],
  away: ['外出务工', '外出打工'],
  unable: ['无监护能力', '监护能力'],
  livesWithParents: ['共同生活'],
  beg: ['乞讨', '流浪'],
  noAbode: ['居无定所'],
  leftHome: ['离家在外'],
  notInSchool: ['不在学', '辍学', '失学'],
  noJob: ['无职业', '无业'],
  laidOff: ['失业', '下岗'],
  suspended: ['判了缓刑', '判缓刑', '判处缓刑', '缓刑'],
  notProsecuted: ['不起诉'],
  noPunishment: ['不予刑事处罚'],
  underAge: ['刑事处罚年龄', '刑事责任年龄'],
  detained: ['行政拘留', '拘留'],
  repeated: ['多次违法'],
  offence: ['违法', '犯罪'],
  misconduct: ['不良行为', '不利于其自身健康成长'],
};

/**
 * What people say. Longer words win where they overlap (不上学 before 上学), and a word listed
 * under a negative fact (不上学 → notInSchool) is read whole, so negation inside it is not
 * applied twice.
 */
export const SAID_WORDS: Record<Fact, readonly string[]> = {
  prison: ['坐牢', '蹲监狱', '蹲大牢', '监狱', '牢里', '服刑', '判刑', '判了刑', '判了', '无期', '有期徒刑', '关进去', '在押', '劳改', '坐监'],
  correction: ['社区矫正', '矫正'],
  detox: ['强制戒毒', '强制隔离戒毒', '戒毒所', '戒毒', '强戒'],
  death: ['死刑', '死缓', '枪毙'],
  away: ['打工', '务工', '外出', '在外地', '在外面', '在外', '出去', '外省', '国外', '跑车', '外地', '出门', '不在家', '进厂', '打零工', '外头'],
  home: ['在家', '在本地', '本地', '种地', '开店', '带他', '带她', '带着', '照顾', '家里'],
  unable: ['精神', '瘫', '残疾', '癌症', '住院', '重病', '跑了', '去世', '死了', '过世', '改嫁', '不管', '不能自理', '无法照顾', '管不了', '失联', '联系不上', '无监护能力', '植物人', '病重', '走了', '不知去向', '下落不明', '不知道去哪', '没人管'],
  detained: ['行政拘留', '拘留', '行拘'],
  custody: ['看守所', '等判决', '还没判', '没判'],
  released: ['出狱', '刑满释放', '放出来', '释放', '出来了', '出来'],
  voluntary: ['自己去', '自愿', '不是强制', '医院戒'],
  beg: ['要饭', '讨饭', '乞讨', '要钱', '讨钱', '流浪', '行乞'],
  noAbode: ['居无定所', '桥洞', '睡在', '住在街上', '露宿', '睡大街'],
  leftHome: ['离家出走', '离家'],
  notInSchool: ['辍学', '不上学', '没上学', '不念了', '书不念', '不读了', '不读书', '不念书', '没念完', '没读完', '不想上学', '没再上学', '毕业', '失学', '退学', '休学', '不上了', '没上完'],
  inSchool: ['在读', '上学', '读书', '念书', '在校', '在上', '读高', '上高', '读初', '上初', '年级', '技校', '职高', '高中', '初中', '大学生', '在学校', '上课', '念高', '念初', '小学'],
  noJob: ['无业', '没工作', '没有工作', '不找工作', '没找着活', '没找到活', '没找到工作', '不干活', '也不干', '没上班', '闲着', '待着', '在家玩', '没活干', '也没工作', '没找着工作', '不出去干活', '也不出去干活', '啥活也不干', '没找工作', '没有找工作', '没去上班', '不上班'],
  working: ['上班', '学徒', '工资', '干活', '工作', '当工人', '在厂里'],
  laidOff: ['失业', '下岗', '裁人', '裁员', '辞退', '被开除'],
  suspended: ['判了缓刑', '判缓刑', '判处缓刑', '缓刑'],
  notProsecuted: ['附条件不起诉', '不起诉'],
  noPunishment: ['不予刑事处罚', '不予处罚', '免予刑事处罚', '不追究刑事责任'],
  underAge: ['没到刑事责任年龄', '未达刑事责任年龄', '不到刑事责任年龄', '没到年龄', '不到年龄', '未到年龄', '不够年龄'],
  repeated: ['多次', '好几次', '屡次', '经常'],
  offence: ['偷', '盗窃', '抢劫', '抢', '强奸', '打架', '斗殴', '打成', '伤害', '敲诈', '勒索', '吸毒', '赌博', '寻衅滋事', '管制刀具', '诈骗', '犯罪', '被抓', '小偷小摸', '违法', '猥亵', '贩毒', '聚众', '砸', '打人', '治安处罚'],
  misconduct: ['逃学', '旷课', '逃课', '夜不归宿', '不回家', '抽烟', '喝酒', '网吧', '混混', '早恋', '不良行为', '离家出走', '沉迷'],
  police: ['训诫', '警告', '处理过', '教育过', '批评教育', '罚款'],
  livesWithParents: ['跟着在', '跟着去', '一起住', '一起生活', '一家人在一起', '跟父母', '跟爸妈', '跟着爸妈', '跟着父母', '随父母', '跟着爹妈', '跟爹妈'],
};

export type Who = 'father' | 'mother' | 'parents' | 'child' | 'relative';

/** Person words; the last one before a fact is who the fact is about. */
export const PERSON_WORDS: Record<Who, readonly string[]> = {
  father: ['爸爸', '爸', '父亲', '爹', '老爹', '娃他爹'],
  mother: ['妈妈', '妈', '母亲', '娘', '娃他娘', '老娘'],
  parents: ['父母', '爸妈', '爹妈', '爹娘', '爸爸妈妈', '父母双方', '双亲', '家长', '父母亲', '两口子'],
  child: ['初中生', '小学生', '中学生', '高中生', '娃', '孩子', '小孩', '学生', '男孩', '女孩', '小男孩', '小姑娘', '姑娘', '女娃', '男娃', '小子', '小伙子', '他', '她', '儿子', '女儿', '闺女', '表弟', '表妹', '本人', '小伙', '年轻人', '男生', '女生', '未成年人', '青少年', '这人'],
  relative: ['爷爷', '奶奶', '姥姥', '姥爷', '外婆', '外公', '叔', '叔叔', '舅舅', '舅', '姑姑', '姑', '姨', '阿姨', '哥哥', '姐姐', '老头', '大人', '邻居', '亲戚', '伯伯', '大伯', '婶', '师傅', '老板', '其他'],
};

/** Before a person word: that person is who the child lives with, not who the fact is about. */
export const WITH_MARKERS = ['跟着', '跟', '和', '由', '给', '扔给', '放在', '寄住在', '住在', '随'];

/** Before a fact word: it is denied (也没要饭, 不出去干活). */
export const NEGATIONS = ['不', '没有', '没', '未', '别', '非'];
