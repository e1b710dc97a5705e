"""The vocabulary of the plan: every enum the library speaks, each member with zh and en labels.

Values are the snake_case strings of the product contract (PRODUCT.md §3, §4, §9), so
``Status.DROPOUT == "dropout"`` and JSON carries the plain strings.

>>> Status.DROPOUT == "dropout"
True
>>> Status.DROPOUT.label("zh"), Status.DROPOUT.label("en")
('辍学', 'dropout')
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Self

Lang = Literal["zh", "en"]
"""A label language: ``"zh"`` (Simplified Chinese) or ``"en"`` (English)."""

__all__ = [
    "ActionKind",
    "Agency",
    "Cause",
    "DutyKind",
    "EscalationLevel",
    "FindingCode",
    "Flag",
    "LabelledEnum",
    "Lang",
    "LedgerCategory",
    "MarkKind",
    "PersuasionOutcome",
    "PlacementMode",
    "Provenance",
    "Role",
    "Stage",
    "Status",
    "Term",
    "WhereaboutsFinding",
]


class LabelledEnum(StrEnum):
    """A string enum whose members carry a Chinese and an English label.

    Members are declared as ``NAME = "value", "中文", "English"``.
    """

    _zh: str
    _en: str

    def __new__(cls, value: str, zh: str = "", en: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._zh = zh or value
        member._en = en or value.replace("_", " ")
        return member

    def label(self, lang: Lang = "zh") -> str:
        """The member's label in ``lang``.

        >>> Agency.COURT.label("en")
        "people's court"
        """
        return self._zh if lang == "zh" else self._en

    @property
    def zh(self) -> str:
        """The Chinese label."""
        return self._zh

    @property
    def en(self) -> str:
        """The English label."""
        return self._en


class Status(LabelledEnum):
    """A child's status on one day (PRODUCT.md §5.8)."""

    ATTENDING = "attending", "在校就读", "attending"
    SUSPECTED_DROPOUT = "suspected_dropout", "疑似辍学", "suspected dropout"
    DROPOUT = "dropout", "辍学", "dropout"
    RETURNED = "returned", "劝返复学", "returned"
    OUT_OF_SCHOOL = "out_of_school", "失学", "out of school"
    EXEMPT = "exempt", "免予入学", "exempt"
    DEFERRED = "deferred", "缓学/休学", "deferred"
    STUDYING_ELSEWHERE = "studying_elsewhere", "在外就读", "studying elsewhere"
    COMPLETED = "completed", "完成义务教育", "completed"
    NOT_SCHOOL_AGE = "not_school_age", "非适龄", "not of school age"


class Stage(LabelledEnum):
    """The stage of the dropout-control procedure a case is in (PRODUCT.md §5.8)."""

    NONE = "none", "无", "none"
    HOME_VISIT = "home_visit", "家访核实", "home visit"
    PERSUASION = "persuasion", "动员劝返", "persuasion"
    ESCALATION = "escalation", "逐级劝返", "escalation"
    ENFORCEMENT = "enforcement", "依法控辍", "guardian enforcement"
    MONITORING = "monitoring", "复学跟踪", "monitoring after return"


class EscalationLevel(LabelledEnum):
    """The level responsible for persuasion (plan 五(一)二: 逐级责任制), lowest first."""

    SCHOOL = "school", "学校", "school"
    TOWNSHIP = "township", "乡（镇）", "township"
    EDUCATION_BUREAU = "education_bureau", "县教育局", "county education bureau"
    COUNTY = "county", "县政府", "county government"


class Agency(LabelledEnum):
    """Every responsibility holder of the plan's section 四, and the expert committee (五(一)五)."""

    COUNTY_GOVERNMENT = "county_government", "县人民政府", "county government"
    EDUCATION_BUREAU = "education_bureau", "县教育局", "county education bureau"
    PROPAGANDA_DEPARTMENT = "propaganda_department", "县委宣传部", "publicity department"
    PUBLIC_SECURITY_BUREAU = "public_security_bureau", "县公安局", "public security bureau"
    HUMAN_RESOURCES_SOCIAL_SECURITY_BUREAU = (
        "human_resources_social_security_bureau",
        "县人力资源和社会保障局",
        "human resources and social security bureau",
    )
    CIVIL_AFFAIRS_BUREAU = "civil_affairs_bureau", "县民政局", "civil affairs bureau"
    CULTURE_TOURISM_BUREAU = (
        "culture_tourism_bureau",
        "县文体广电和旅游局",
        "culture, sports, broadcasting and tourism bureau",
    )
    HEALTH_COMMISSION = "health_commission", "县卫生健康局", "health bureau"
    MARKET_SUPERVISION_BUREAU = (
        "market_supervision_bureau",
        "县市场监督管理局",
        "market supervision bureau",
    )
    FINANCE_BUREAU = "finance_bureau", "县财政局", "finance bureau"
    JUSTICE_BUREAU = "justice_bureau", "县司法局", "justice bureau"
    COURT = "court", "县人民法院", "people's court"
    WOMENS_FEDERATION = "womens_federation", "县妇女联合会", "women's federation"
    DISABLED_PERSONS_FEDERATION = (
        "disabled_persons_federation",
        "县残疾人联合会",
        "disabled persons' federation",
    )
    YOUTH_LEAGUE = "youth_league", "共青团鸡东县委员会", "communist youth league"
    CARE_COMMITTEE = (
        "care_committee",
        "关心下一代工作委员会办公室",
        "committee for the care of the next generation",
    )
    TOWNSHIP_GOVERNMENT = "township_government", "乡（镇）政府", "township government"
    VILLAGE_COMMITTEE = "village_committee", "村（居）委会", "village (residents') committee"
    SCHOOL = "school", "学校", "school"
    GUARDIAN = "guardian", "家长（法定监护人）", "parent or legal guardian"
    SPECIAL_EDUCATION_COMMITTEE = (
        "special_education_committee",
        "特殊教育专家委员会",
        "special-education expert committee",
    )


class Role(LabelledEnum):
    """A post that holds a duty (岗位)."""

    CLASS_TEACHER = "class_teacher", "班主任", "class teacher"
    PRINCIPAL = "principal", "校长", "principal"
    REGISTRY_ADMINISTRATOR = "registry_administrator", "学籍管理员", "registry administrator"
    PERSUADER = "persuader", "劝返专人", "assigned persuader"
    VILLAGE_COMMITTEE = "village_committee", "村（居）委会", "village committee"
    TOWNSHIP_HEAD = "township_head", "乡（镇）长", "township head"
    BUREAU_CHIEF = "bureau_chief", "教育局局长", "education bureau chief"
    COUNTY_HEAD = "county_head", "县长", "county head"
    GUARDIAN = "guardian", "家长", "guardian"
    AGENCY_STAFF = "agency_staff", "部门工作人员", "agency staff"


class Cause(LabelledEnum):
    """A cause of absence found by a visit, a contact, a persuasion or a whereabouts check."""

    ECONOMIC_HARDSHIP = "economic_hardship", "家庭经济困难", "economic hardship"
    CHILD_LABOR = "child_labor", "务工（童工）", "child labour"
    INTERNET_ADDICTION = "internet_addiction", "沉迷网络", "internet addiction"
    DISABILITY = "disability", "残疾", "disability"
    ILLNESS = "illness", "疾病", "illness"
    LEARNING_DIFFICULTY = "learning_difficulty", "学习困难", "learning difficulty"
    SCHOOL_AVERSION = "school_aversion", "厌学", "aversion to school"
    FAMILY_EDUCATION = "family_education", "家庭教育缺失", "family education"
    GUARDIAN_REFUSAL = "guardian_refusal", "监护人拒不送学", "guardian refuses"
    MISSING = "missing", "失踪失联", "missing"
    SAFETY = "safety", "安全隐患", "safety"
    MIGRATION = "migration", "随迁外出", "migration"
    OTHER = "other", "其他", "other"


class Flag(LabelledEnum):
    """A special group the plan names for priority help (plan 四 乡（镇）责任)."""

    ORPHAN = "orphan", "孤儿", "orphan"
    LEFT_BEHIND = "left_behind", "留守儿童", "left-behind child"
    DISABLED = "disabled", "残疾", "disabled"
    PRISONER_CHILD = "prisoner_child", "服刑人员子女", "child of a prisoner"
    ECONOMIC_HARDSHIP = "economic_hardship", "家庭经济困难", "economic hardship"


class PersuasionOutcome(LabelledEnum):
    """The result of one persuasion attempt (劝返)."""

    RETURNED = "returned", "已返校", "returned"
    AGREED = "agreed", "同意返校", "agreed to return"
    REFUSED = "refused", "拒绝返校", "refused"
    UNREACHABLE = "unreachable", "无法联系", "unreachable"


class WhereaboutsFinding(LabelledEnum):
    """The result of a whereabouts check (去向核查)."""

    AT_HOME = "at_home", "在家", "at home"
    WORKING = "working", "务工", "working"
    MIGRATED = "migrated", "随迁外出", "migrated"
    ENROLLED_ELSEWHERE = "enrolled_elsewhere", "在外地就读", "enrolled elsewhere"
    MISSING = "missing", "失踪失联", "missing"
    UNKNOWN = "unknown", "去向不明", "unknown"


class MarkKind(LabelledEnum):
    """A mark set in the student registry (学籍标注)."""

    SUSPECTED_DROPOUT = "suspected_dropout", "疑似辍学", "suspected dropout"
    DROPOUT = "dropout", "辍学", "dropout"
    CLEARED = "cleared", "已撤销标注", "cleared"


class PlacementMode(LabelledEnum):
    """A placement decision of the special-education expert committee (plan 五(一)五)."""

    REGULAR_CLASS = "regular_class", "随班就读", "regular class"
    SPECIAL_SCHOOL = "special_school", "特殊教育学校", "special school"
    HOME_DELIVERY = "home_delivery", "送教上门", "home-delivered teaching"
    EXEMPT = "exempt", "免予入学", "exempt from enrolment"


class Provenance(LabelledEnum):
    """Where a policy parameter's value comes from (PRODUCT.md §2.2)."""

    PLAN = "plan", "实施方案", "the plan"
    LAW = "law", "法律法规", "national law"
    ASSUMPTION = "assumption", "本项目假定", "project assumption"


class Term(LabelledEnum):
    """A school term (学期)."""

    AUTUMN = "autumn", "秋季学期", "autumn term"
    SPRING = "spring", "春季学期", "spring term"


class DutyKind(LabelledEnum):
    """A dated institutional duty of the plan (PRODUCT.md §6.3)."""

    QUARTERLY_REVIEW = "quarterly_review", "季度复核疑似辍学和辍学数据", "quarterly data review"
    TERM_SURVEY = "term_survey", "春秋季深度调研", "term in-depth survey"
    HOUSEHOLD_DATA = "household_data", "提供适龄儿童户籍信息", "household data to the bureau"
    DISABLED_CHILDREN_LIST = (
        "disabled_children_list",
        "提供适龄持证残疾儿童信息",
        "list of disabled children",
    )
    HOUSEHOLD_SURVEY = "household_survey", "入户调查", "household survey"
    LEDGER = "ledger", "建立工作台账", "ledger"
    DEPLOYMENT = "deployment", "研究部署控辍保学工作", "yearly deployment"
    ANNUAL_ASSESSMENT = "annual_assessment", "年度考核", "annual assessment"


class LedgerCategory(LabelledEnum):
    """The category of a child in the county ledger (台账, PRODUCT.md §6.1)."""

    IN_SCHOOL = "in_school", "在校就读", "in school"
    OUT_OF_SCHOOL = "out_of_school", "失学", "out of school"
    SUSPECTED_DROPOUT = "suspected_dropout", "疑似辍学", "suspected dropout"
    DROPOUT = "dropout", "辍学", "dropout"
    UNREGISTERED_IN_COUNTY = "unregistered_in_county", "县域内就读无学籍", "in school, unregistered"
    STUDYING_ELSEWHERE = "studying_elsewhere", "在外就读", "studying elsewhere"
    EXEMPT = "exempt", "免予入学", "exempt"
    DEFERRED = "deferred", "缓学/休学", "deferred"
    TO_VERIFY = "to_verify", "待核查", "to verify"
    NON_LOCAL_IN_SCHOOL = "non_local_in_school", "非本县户籍在读", "in school, household elsewhere"
    HOUSEHOLD_RECORD_ISSUE = (
        "household_record_issue",
        "户籍信息待更正（迁出/死亡/查无此人）",
        "household record issue",
    )
    NOT_SCHOOL_AGE = "not_school_age", "非适龄", "not of school age"


class ActionKind(LabelledEnum):
    """A kind of required action (PRODUCT.md §9)."""

    HOME_VISIT = "home_visit", "家访或与监护人联系核实", "home visit or guardian contact"
    ASSIGN_PERSUADER = "assign_persuader", "落实专人动员劝返", "assign a persuader"
    PERSUADE = "persuade", "动员劝返", "persuade the child to return"
    MARK_REGISTRY = "mark_registry", "学籍标注", "mark the student registry"
    REPORT_TO_BUREAU = "report_to_bureau", "向县教育局上报", "report to the education bureau"
    VERIFY_WHEREABOUTS = "verify_whereabouts", "去向核查", "verify whereabouts"
    MISSING_CHILD_RESPONSE = (
        "missing_child_response",
        "失踪失联核查处置",
        "missing-child response",
    )
    INDIVIDUAL_PLAN = "individual_plan", "一生一策", "individual plan"
    CLEAR_REGISTRY_MARK = "clear_registry_mark", "撤销学籍标注", "clear the registry mark"
    REGISTRY_TRANSFER = "registry_transfer", "学籍转接", "transfer the registration"
    ENROLLMENT_MOBILIZATION = (
        "enrollment_mobilization",
        "督促送子女入学",
        "mobilise enrolment",
    )
    GUARDIAN_EDUCATION = "guardian_education", "批评教育监护人", "educate the guardian"
    GUARDIAN_ORDER = "guardian_order", "责令限期送子女入学", "order the guardian"
    ADMINISTRATIVE_PENALTY = "administrative_penalty", "教育行政处罚", "administrative penalty"
    COURT_APPLICATION = "court_application", "申请人民法院强制执行", "apply to the court"
    PLACEMENT_ASSESSMENT = "placement_assessment", "入学安置评估", "placement assessment"
    # cause routing (PRODUCT.md §5.6) and priority support
    SOCIAL_ASSISTANCE = "social_assistance", "救助帮扶", "social assistance"
    STUDENT_AID = "student_aid", "学生资助（两免一补）", "student aid"
    CHILD_LABOR_INVESTIGATION = (
        "child_labor_investigation",
        "查处童工并责令送回",
        "investigate child labour",
    )
    EMPLOYER_SUPERVISION = (
        "employer_supervision",
        "用工监管（拒不改正的吊销执照）",
        "supervise employer",
    )
    CHILD_LABOR_ENFORCEMENT = (
        "child_labor_enforcement",
        "打击使用童工违法行为",
        "child-labour enforcement",
    )
    INTERNET_CAFE_INSPECTION = (
        "internet_cafe_inspection",
        "检查网吧等场所接纳未成年人",
        "inspect internet cafés",
    )
    DISABILITY_CERTIFICATION = "disability_certification", "办理残疾证", "disability certificate"
    MEDICAL_ASSESSMENT = "medical_assessment", "医学鉴定", "medical assessment"
    LEARNING_SUPPORT = "learning_support", "学习帮扶", "learning support"
    PSYCHOLOGICAL_COUNSELING = "psychological_counseling", "心理辅导", "counselling"
    FAMILY_EDUCATION_GUIDANCE = (
        "family_education_guidance",
        "家庭教育指导",
        "family education guidance",
    )
    LEGAL_SERVICE = "legal_service", "法律服务", "legal service"
    HEALTH_SUPPORT = "health_support", "疾病防治与健康帮扶", "health support"
    SCHOOL_SAFETY = "school_safety", "消除学校安全隐患", "school safety"
    CAMPUS_SECURITY = "campus_security", "校园周边治安治理", "campus security"
    PRIORITY_SUPPORT = "priority_support", "重点帮助", "priority support"
    # county ledger follow-ups (PRODUCT.md §6.1)
    HOUSEHOLD_SURVEY = "household_survey", "入户调查核实", "household survey"
    REGISTER_STUDENT = "register_student", "补办学籍", "register the student"
    CORRECT_HOUSEHOLD_RECORD = (
        "correct_household_record",
        "核实更正户籍信息",
        "correct the household record",
    )
    CHECK_PRESENCE = "check_presence", "核实在籍不在校", "check a registered but absent child"


class FindingCode(LabelledEnum):
    """Data-quality and compliance findings."""

    LATE_REPORT = "late_report", "未及时上报辍学情况", "late report"
    CONFLICTING_ABSENCE = (
        "conflicting_absence",
        "同一天既有请假又有无故缺勤记录",
        "a day is both excused and unexcused",
    )
    CALENDAR_ESTIMATED = (
        "calendar_estimated",
        "节假日安排为推定（无国务院通知数据）",
        "PRC holidays of a year are estimated",
    )
    OUTCOME_CONFLICT = (
        "outcome_conflict",
        "劝返结果为已返校，但考勤显示仍缺勤",
        "persuasion says returned but attendance says absent",
    )
    EVENTS_AFTER_TRANSFER = (
        "events_after_transfer",
        "转出后仍有缺勤记录",
        "absence recorded after a transfer out",
    )
    ABSENCE_WITHOUT_REGISTRATION = (
        "absence_without_registration",
        "无学籍学生有缺勤记录",
        "absence recorded for a child without registration",
    )
    INCOMPLETE_EVENT = "incomplete_event", "事件缺少关键字段，已忽略", "an event lacks a key field"
    # county ledger (PRODUCT.md §6.1)
    DUPLICATE_RECORD = "duplicate_record", "同一名册中重复出现", "a roster lists a child twice"
    CONFLICTING_BIRTH_DATE = (
        "conflicting_birth_date",
        "出生日期不一致",
        "birth dates disagree",
    )
    MULTIPLE_SCHOOLS = "multiple_schools", "出现在多所学校", "listed at more than one school"
    SURVEY_CONFLICT = (
        "survey_conflict",
        "入户调查结果与学籍不符",
        "survey disagrees with the registry",
    )
    ATTENDANCE_NOT_RECORDED = (
        "attendance_not_recorded",
        "考勤尚未记录",
        "attendance not recorded yet",
    )
    # cross-roster conflicts (issue 13; PRODUCT.md §6.1: findings, never silent merges)
    MARKED_DROPOUT_PRESENT = (
        "marked_dropout_present",
        "学籍标注为辍学（疑似辍学），但该生在在校名册中",
        "marked as a dropout in the registry, yet on a presence roster",
    )
    PRESENT_AT_OTHER_SCHOOL = (
        "present_at_other_school",
        "在一校注册学籍，却在另一校在校（人籍分离）",
        "registered at one school, present at another",
    )
    ELSEWHERE_BUT_HERE = (
        "elsewhere_but_here",
        "已核实在县外就读，但在本县注册学籍或在校",
        "verified studying elsewhere, yet registered or present here",
    )
    EXEMPT_OR_DEFERRED_PRESENT = (
        "exempt_or_deferred_present",
        "已免予入学或缓学、休学，但该生在在校名册中",
        "exempt or deferred, yet on a presence roster",
    )
