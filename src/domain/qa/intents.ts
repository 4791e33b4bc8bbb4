/**
 * Words that say what a question asks for. A question may carry several (「民政所是不是流浪乞讨的
 * 牵头单位」 has unit, category, lead and yes/no); `answer.ts` decides which answer fits. Matching
 * is by characters or pinyin, so 千头 still reads as 牵头.
 */
export type Intent =
  | 'lead'
  | 'overall'
  | 'responsible'
  | 'who'
  | 'tasks'
  | 'definition'
  | 'age'
  | 'frequency'
  | 'targets'
  | 'goals'
  | 'requirements'
  | 'has'
  | 'unanswerable'
  | 'greeting';

export const INTENT_WORDS: Record<Intent, readonly string[]> = {
  lead: ['牵头', '牵头单位', '牵头部门', '主抓', '挂帅', '领头', '带头', '主管'],
  overall: ['总牵头', '总负责', '总体负责', '全面负责', '统筹', '整个工作', '整体工作', '这项工作', '全部工作', '总的'],
  responsible: ['责任单位', '配合', '参与', '协助', '协同', '配合单位', '参加', '成员单位'],
  who: ['谁', '哪个单位', '哪个部门', '哪些单位', '哪些部门', '哪家', '找谁', '归谁', '归哪个', '负责', '谁管', '谁来', '哪个所', '什么单位', '什么部门', '找哪个', '管'],
  tasks: ['任务', '干什么', '做什么', '干啥', '做啥', '干嘛', '工作内容', '职责', '做哪些', '要做', '要干', '做些', '怎么做', '措施', '分工', '干哪些', '负责什么', '负责哪些', '管什么', '管哪些'],
  definition: ['是指', '定义', '什么是', '什么叫', '啥是', '啥叫', '界定', '算不算', '属于', '包括', '包含', '指的是', '哪些人', '范围', '算是', '认定', '概念', '含义', '哪些孩子', '什么样', '怎么算'],
  age: ['多大', '年龄', '几岁', '周岁', '岁数', '岁'],
  frequency: ['多久', '几次', '频率', '频次', '每月', '每个月', '每季度', '季度', '多长时间', '周期', '一个月', '调度', '隔多久', '多少天'],
  targets: ['工作对象', '服务对象', '对象', '哪几类', '几类', '哪些群体', '哪些类别', '分类', '哪几种', '几种'],
  goals: ['目标', '目的', '要达到'],
  requirements: ['要求', '督导', '检查', '追责', '问责', '考核', '通报', '约谈', '不落实', '原则', '关系', '暗访', '抽查', '责任追究', '不重视'],
  has: ['有没有', '有无', '是否', '吗', '管不管', '要不要', '需不需要', '涉及', '有关系', '是不是', '参不参与', '有任务'],
  /** Facts a responsibility plan never holds: money, contact details, names. */
  unanswerable: ['多少钱', '多少元', '金额', '几块钱', '多少经费', '补助标准', '补贴标准', '标准是多少', '发多少', '给多少', '钱', '工资', '报销', '电话', '手机号', '号码', '联系方式', '地址', '住址', '名单', '姓名', '叫什么名字'],
  greeting: ['你好', '您好', '在吗', '谢谢', '哈喽', '早上好'],
};

/**
 * Words and characters that carry no content for finding a task by its words. Removed after the
 * unit, category and intent words, so 「回归安置归谁管」 leaves 回归安置.
 */
export const STOP_WORDS: readonly string[] = [
  '请问', '一下', '我们', '咱们', '这个', '那个', '那边', '这边', '哪个', '哪些', '哪几个', '什么', '怎么', '怎样', '如何',
  '单位', '部门', '工作', '方面', '事情', '情况', '需要', '应该', '可以', '知道', '具体', '主要', '相关', '一个',
  '现在', '目前', '方案', '实施方案', '规定', '里面', '的话', '孩子', '小孩子', '小孩', '娃娃', '重点', '青少年', '谁的',
];
export const STOP_CHARS = '的了吗呢啊吧呀哦嘛是由谁哪个些来去要和与及在我你他她它们请问这那没都也还得地找给让把被向从跟做啥么几该又再很太更最等里事';
