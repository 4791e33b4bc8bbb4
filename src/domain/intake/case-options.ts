import type { ChoiceOption } from '../parse-zh/choice.js';
import type { CategoryCode, PlanMatrix } from '../plan/types.js';

/** Pick-lists of the intake form (docs/domain-rules.md §5), as data. */

const opt = (label: string, ...aliases: string[]): ChoiceOption => ({ value: label, label, aliases });

const CATEGORY_ALIASES: Record<CategoryCode, string[]> = {
  '01': ['闲散', '闲散青少年'],
  '02': ['不良', '不良行为', '严重不良', '严重不良行为', '不良青少年'],
  '03': ['流浪', '乞讨', '流浪乞讨', '流浪儿童'],
  '04': ['服刑', '服刑子女', '服刑人员子女', '服刑人员未成年子女'],
  '05': ['留守', '留守儿童'],
};

/** Fallback names, used only if a plan lacks a category. */
const CATEGORY_NAMES: Record<CategoryCode, string> = {
  '01': '闲散青少年',
  '02': '有不良行为或严重不良行为青少年',
  '03': '流浪乞讨未成年人',
  '04': '服刑人员未成年子女',
  '05': '农村留守儿童',
};

export const CATEGORY_CODES: readonly CategoryCode[] = ['01', '02', '03', '04', '05'];

export function categoryName(plan: PlanMatrix, code: CategoryCode): string {
  return plan.categories.find((c) => c.code === code)?.name ?? CATEGORY_NAMES[code];
}

export function categoryOptions(plan: PlanMatrix): ChoiceOption[] {
  return CATEGORY_CODES.map((code) => ({ value: code, label: categoryName(plan, code), aliases: CATEGORY_ALIASES[code] }));
}

/**
 * Age window per category, [min, maxExclusive). The plan's own limit wins (未满16周岁 for 留守);
 * otherwise the statistical ranges of docs/domain-rules.md §1/§4.1: 6–25 for 闲散 and 不良, under 18 for
 * the two 未成年 categories.
 */
export function ageWindow(plan: PlanMatrix, code: CategoryCode): { min?: number; maxExclusive: number } {
  const fallback: Record<CategoryCode, number> = { '01': 26, '02': 26, '03': 18, '04': 18, '05': 16 };
  const fromPlan = plan.categories.find((c) => c.code === code)?.maxAgeExclusive;
  return { ...(code === '01' ? { min: 6 } : {}), maxExclusive: fromPlan ?? fallback[code] };
}

export const GENDER = [
  opt('男', '男孩', '男生', '男的', '男性', '男娃', '男孩子', '小子', '小伙子', '儿子', '男童'),
  opt('女', '女孩', '女生', '女的', '女性', '女娃', '女孩子', '姑娘', '小姑娘', '闺女', '女儿', '女童'),
];

export const SCHOOL_STATUS = [
  opt('未入园'), opt('幼儿园', '上幼儿园'), opt('小学', '上小学', '读小学'), opt('初中', '上初中', '读初中'),
  opt('高中', '上高中', '读高中'), opt('中职', '职高', '中专', '技校'), opt('大专及以上', '大专', '大学', '本科'),
  opt('辍学', '退学'), opt('不在学'), opt('已毕业未升学', '毕业未升学'),
  opt('在业', '上班', '工作', '有工作'), opt('无业', '没工作', '待业'), opt('务农', '种地'), opt('灵活就业', '打零工'), opt('培训中', '培训'),
];

export const RELATION = [
  opt('父', '父亲', '爸爸', '爸', '她爸', '他爸', '爹', '他爹', '她爹', '俺爹'), opt('母', '母亲', '妈妈', '妈', '她妈', '他妈', '娘', '他娘', '她娘'),
  opt('祖父', '爷爷'), opt('祖母', '奶奶'),
  opt('外祖父', '外公', '姥爷'), opt('外祖母', '外婆', '姥姥'), opt('兄', '哥哥'), opt('姐', '姐姐'),
  opt('其他亲属', '亲戚', '叔叔', '伯伯', '姑姑', '舅舅', '阿姨', '姨妈', '婶婶', '大姑', '小姑', '姑妈', '大姨', '小姨', '舅妈', '大伯', '叔', '姑父', '姨父'),
  opt('非亲属', '邻居', '朋友'),
  opt('民政', '民政所', '福利院'), opt('村(居)委会', '村委会', '居委会'), opt('不详', '不清楚', '不知道'),
];

export const GUARDIANSHIP_MODE = [
  opt('父母监护'), opt('单亲监护', '单亲'), opt('祖辈监护', '隔代监护'), opt('其他亲属监护', '亲属监护'),
  opt('非亲属委托监护', '委托监护'), opt('机构监护'), opt('无人监护', '没人管', '无人照顾'),
];

/** The mode a carer's relation implies; 父/母 could be either parents or one parent, so ask. */
export const MODE_FROM_RELATION: Record<string, string> = {
  祖父: '祖辈监护', 祖母: '祖辈监护', 外祖父: '祖辈监护', 外祖母: '祖辈监护',
  兄: '其他亲属监护', 姐: '其他亲属监护', 其他亲属: '其他亲属监护',
  非亲属: '非亲属委托监护', 民政: '机构监护', '村(居)委会': '机构监护',
};

/** A risk level not assessed yet (the mentor assesses it at the first contact), wherever it is shown or counted. */
export const RISK_UNASSESSED = '待补充';
export const riskText = (level: '低' | '中' | '高' | null): string => level ?? RISK_UNASSESSED;

export const RISK_LEVEL = [opt('低', '低风险', '一般', '较低', '不高'), opt('中', '中风险', '中等', '中吧'), opt('高', '高风险', '严重', '较高', '挺危险', '危险')];

export const PARENTS_AWAY = [
  opt('父母均外出务工', '都在外', '都外出', '父母都在外打工', '双方外出', '都出去', '都去', '都在外地', '都在外面', '都在外头', '双方都在外'),
  opt('一方外出务工、另一方无监护能力', '一方外出', '一方无监护能力'),
  opt('其他'),
];

export const GUARDIANSHIP_RATING = [opt('较好', '好', '良好'), opt('一般', '还行'), opt('差', '较差', '不好')];

export const IMPRISONED_PARENT = [
  opt('父亲', '父', '爸爸', '他爹', '她爹', '他爸', '她爸', '爹', '爸'),
  opt('母亲', '母', '妈妈', '他娘', '她娘', '他妈', '她妈', '娘', '妈'),
  opt('父母双方', '双方', '都是', '父母', '爸爸妈妈', '爹娘', '两个都'),
];

/** Deliberately no offence or prison name (docs/domain-rules.md P3). */
export const CUSTODY_TYPE = [
  opt('服刑在押', '服刑', '在押', '坐牢', '监狱', '牢里', '判刑', '判了', '蹲监狱', '无期'), opt('社区矫正', '矫正', '缓刑'), opt('强制隔离戒毒', '戒毒'),
  opt('被判处死刑', '死刑', '死缓'), opt('其他限制人身自由'),
];

/** 预防未成年人犯罪法 Art. 28 (BL) and Art. 38 (YZ) lists, docs/domain-rules.md §2.1/§2.3. */
export const BEHAVIORS: ChoiceOption[] = [
  { value: 'BL01', label: '吸烟、饮酒', aliases: ['吸烟', '抽烟', '饮酒', '喝酒'] },
  { value: 'BL02', label: '多次旷课、逃学', aliases: ['旷课', '逃学', '逃课', '不去上课'] },
  { value: 'BL03', label: '无故夜不归宿、离家出走', aliases: ['夜不归宿', '离家出走', '不回家', '跑出去'] },
  { value: 'BL04', label: '沉迷网络', aliases: ['网瘾', '沉迷游戏', '上网', '打游戏'] },
  { value: 'BL05', label: '与有不良习性的人交往或参加不良团伙', aliases: ['结交不良', '不良团伙', '社会上的人', '混社会', '社会青年'] },
  { value: 'BL06', label: '进入未成年人不宜进入的场所', aliases: ['网吧', '酒吧', '歌厅'] },
  { value: 'BL07', label: '参与赌博、封建迷信、邪教等活动', aliases: ['赌博', '迷信'] },
  { value: 'BL08', label: '观看淫秽、暴力等不良内容', aliases: ['黄色', '淫秽内容'] },
  { value: 'BL09', label: '其他不良行为', aliases: ['其他不良'] },
  { value: 'YZ00', label: '实施刑法规定的行为但因年龄不予处罚', aliases: ['未达刑责年龄'] },
  { value: 'YZ01', label: '结伙斗殴、寻衅滋事', aliases: ['打架', '斗殴', '寻衅滋事', '群架', '打群架', '结伙'] },
  { value: 'YZ02', label: '非法携带管制器具', aliases: ['管制刀具', '带刀'] },
  { value: 'YZ03', label: '殴打、辱骂、恐吓或故意伤害他人', aliases: ['欺凌', '霸凌', '打人', '打伤', '伤人', '故意伤害', '致人重伤', '恐吓'] },
  { value: 'YZ04', label: '盗窃、哄抢、抢夺或故意损毁财物', aliases: ['盗窃', '偷东西', '偷窃', '偷钱', '偷过', '偷了', '偷拿', '抢劫', '抢夺', '抢手机', '抢同学'] },
  { value: 'YZ05', label: '传播淫秽物品或信息', aliases: ['传播淫秽'] },
  { value: 'YZ06', label: '卖淫、嫖娼或淫秽表演', aliases: ['卖淫'] },
  { value: 'YZ07', label: '吸食、注射毒品或提供毒品', aliases: ['吸毒', '毒品'] },
  { value: 'YZ08', label: '参与赌博且赌资较大', aliases: ['大额赌博'] },
  { value: 'YZ09', label: '其他严重危害社会的行为', aliases: ['其他严重不良'] },
];

export const DISPOSITION = [
  opt('尚未处置', '未处置', '还没有'), opt('家长管教', '家长教育', '家里管', '家长管'), opt('学校管理教育措施', '学校处理', '学校教育', '学校管', '训导', '学校进行', '学校批评', '处分'),
  opt('公安机关矫治教育措施', '派出所处理', '训诫', '行政拘留', '行拘', '拘留', '治安处罚', '罚款', '不予刑事处罚', '不起诉', '附条件不起诉', '缓刑', '社区矫正', '判处', '判刑'),
  opt('专门教育', '专门学校'), opt('专门矫治教育'),
];

export const JUSTICE_INVOLVEMENT = [
  opt('无', '没有', '否', '不是', '不涉及', '没涉及'), opt('有', '是', '涉及', '拘留', '行拘', '起诉', '判', '缓刑', '训诫'), opt('不详', '不清楚', '不知道'),
];

export const ACCOMPANIED_BY = [
  opt('无', '独自', '一个人', '没有', '自己', '他自己', '她自己', '就他', '就她'),
  opt('父母', '家长', '他爹', '她爹', '他爸', '她爸', '他妈', '她妈', '他娘', '父亲', '母亲', '爸爸', '妈妈'),
  opt('其他成年人', '大人', '成年人', '成年男子', '成年女子', '男的', '女的', '成年', '老婆婆', '老太太', '老头', '老人', '婆婆', '奶奶', '爷爷', '亲戚'),
  opt('同龄人', '小伙伴', '小孩', '孩子们'),
];

export const REFERRED_TO = [
  opt('救助管理站', '救助站'), opt('未成年人救助保护中心', '保护中心'), opt('定点医院', '医院'),
  opt('直接送返家庭', '送回家', '送返', '回家', '家里人找回', '家长领回', '买票回', '带回', '领回', '交其父', '交其母', '交家长', '家长带回', '送回'),
  opt('交公安机关', '派出所', '公安', '警察', '民警'), opt('尚未处置', '未处置', '还没', '没处置'),
];

export const WISHES = [
  opt('复学', '上学', '回学校', '读书', '念书', '复读'), opt('职业培训', '培训', '学技术', '学手艺', '学门手艺', '技校', '手艺', '学个', '学修', '学厨', '学理发'),
  opt('就业', '找工作', '工作', '上班', '打工', '挣钱'), opt('参军', '当兵'), opt('暂无', '没有', '无', '没想法', '不想'),
];
