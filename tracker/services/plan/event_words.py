"""Every audit event action and every notification kind in words, Chinese first, English second: the one table
the item page's 操作留痕 reads, so no person reads `item.split` or `proposal.assign`.

The code records actions as stable codes (they are hashed into the audit chain and read by programs through the
API); this table is how a person reads them. tests/services/test_event_words.py collects every action the code
passes to audit.record (and every notification kind) and fails on one without words here: a new action comes
with its words.
"""
from __future__ import annotations

from ...models import ItemSource

Words = tuple[str, str]

# Where an ad-hoc item (交办件) came from, in words (items, intake, notices and pages read it here).
SOURCE_LABELS: dict[ItemSource, Words] = {
    ItemSource.LEADER_INSTRUCTION: ("领导批示", "Leader's instruction"),
    ItemSource.MEETING: ("会议议定", "Meeting decision"),
    ItemSource.HIGHER_LEVEL: ("上级交办", "Assigned from above"),
    ItemSource.LETTER_CALL: ("来文来电", "Letter or call"),
    ItemSource.PUBLIC_REPORT: ("群众反映", "Public report"),
    ItemSource.OTHER: ("其他", "Other"),
}

# What a notification (站内通知) is about, by its kind (services.ledger.notifications, bulletins.BULLETIN_ISSUED).
NOTICE_KINDS: dict[str, Words] = {
    "record_issued": ("督办记录下发", "an accountability notice issued"),
    "item_returned": ("退回", "an item returned"),
    "extension_decided": ("延期审批结果", "an extension decided"),
    "item_approved": ("审核办结", "an item approved"),
    "item_submitted": ("下级分解事项待审核", "a sub-item to review"),
    "due_soon": ("到期提醒", "due soon"),
    "assigned": ("新交办", "a new assignment"),
    "corrected": ("办公室修改事项", "an item corrected by the office"),
    "cancelled": ("事项撤销", "an item cancelled"),
    "instruction": ("领导批示", "a leader's instruction"),
    "part_done": ("配合单位完成其承担部分", "a cooperating unit's part done"),
    "units_changed": ("牵头或配合单位调整", "lead or cooperating units changed"),
    "indicator_submitted": ("指标数值待审核", "an indicator figure to review"),
    "indicator_returned": ("指标数值被退回", "an indicator figure returned"),
    "missed_report": ("未按时报送进展", "periodic reports missed"),
    "contested": ("单位提出异议(退办)", "an item contested by a unit"),
    "contest_decided": ("异议处理结果", "a contest decided"),
    "bulletin_issued": ("通报印发", "a bulletin issued"),
    "mentioned": ("评论中提到您", "named in a comment"),
}

ACTIONS: dict[str, Words] = {
    # a work item
    "item.create": ("交办", "assigned"),
    "item.sign": ("签收", "signed for"),
    "item.submit": ("提交办结", "submitted for review"),
    "item.approve": ("审核办结", "approved"),
    "item.contest": ("提出异议(退办)", "contested"),
    "item.contest_upheld": ("异议成立,重新交办", "contest upheld: reassigned"),
    "item.contest_rejected": ("异议不成立", "contest rejected"),
    "item.return": ("退回", "returned"),
    "item.reorder": ("调整顺序", "reordered"),
    "item.edit": ("修改事项", "edited"),
    "item.cancel": ("撤销事项", "cancelled"),
    "item.progress": ("报送进展", "reported progress"),
    "item.comment": ("评论", "commented"),
    "item.extension_request": ("申请延期", "asked for more time"),
    "item.extension_granted": ("同意延期", "extension granted"),
    "item.extension_refused": ("不同意延期", "extension refused"),
    "item.split": ("分解事项", "split among units below"),
    "item.instruction": ("领导批示", "instructed by a leader"),
    "item.part_done": ("配合单位完成其承担部分", "a cooperating unit marked its part done"),
    "item.responsible": ("指定责任人", "named the person responsible"),
    "item.units": ("调整牵头或配合单位", "changed the lead or cooperating units"),
    "item.follow_template": ("按计划文件更新", "updated from the plan file"),
    "item.event": ("登记事件并生成事项", "an event entered, the item created"),
    "item.missed_report": ("未按时报送进展", "missed a periodic report"),
    # accountability records (督办记录)
    "record.answer": ("答复督办", "answered a notice"),
    "record.close": ("核销督办记录", "closed a record"),
    "record.escalate": ("升级督办", "escalated a record"),
    "record.settle": ("督办记录办结销号", "records settled: item finished"),
    "record.read": ("阅知通知", "read a notice"),
    "ladder.scan": ("逾期扫描下发督办记录", "the overdue scan issued a record"),
    # indicators, leaders' instructions (批示件), the plan and its units
    "indicator.report": ("报送指标数值", "reported an indicator figure"),
    "indicator.accept": ("采用指标数值", "accepted an indicator figure"),
    "indicator.return": ("退回指标数值", "returned an indicator figure"),
    "proposal.create": ("提出批示件", "raised an instruction to be assigned"),
    "proposal.assign": ("批示件交办", "assigned an instruction as work"),
    "proposal.file": ("批示件存档", "filed an instruction"),
    "plan.load": ("载入计划", "plan loaded"),
    "plan.parameter": ("设定计划参数", "set a plan parameter"),
    "units.load": ("载入单位", "units loaded"),
    "unit.created": ("新增单位", "unit added"),
    "unit.updated": ("更新单位信息", "unit updated"),
    "unit.directory_credit_code": ("按目录同步统一社会信用代码", "credit code taken from the directory"),
    "reporting.rhythm": ("设定进展报送频次", "set a reporting rhythm"),
    "bulletin.prepare": ("生成通报草稿", "bulletin drafted"),
    "bulletin.edit": ("修改通报草稿", "bulletin draft edited"),
    "bulletin.issue": ("印发通报", "bulletin issued"),
    "assessment.freeze": ("考核结果定稿", "assessment frozen"),
    "webhook.register": ("登记推送地址", "webhook registered"),
    "webhook.enable": ("启用推送", "webhook enabled"),
    "webhook.disable": ("停用推送", "webhook disabled"),
    "webhook.rotate_secret": ("更换推送密钥", "webhook secret rotated"),
    "robot.configure": ("设置单位群机器人", "unit group robot set"),
    "robot.disable": ("停用单位群机器人", "unit group robot switched off"),
    "user.channels": ("设置接收通知的渠道", "notification channels chosen"),
    # accounts and signing in
    "user.create": ("创建账号", "account created"),
    "user.sign_on_link": ("关联统一身份认证", "linked to the identity platform"),
    "user.update": ("修改账号", "account changed"),
    "user.reset_password": ("重置密码", "password reset"),
    "user.change_password": ("修改密码", "password changed"),
    "user.enable": ("启用账号", "account enabled"),
    "user.disable": ("停用账号", "account disabled"),
    "user.directory_update": ("按目录同步更新姓名、邮箱或工号", "name, mail or job number taken from the directory"),
    "user.directory_move": ("按目录同步调整所在单位", "moved to the unit the directory names"),
    "user.directory_disable": ("人员已不在目录中,停用账号", "disabled: gone from the directory"),
    "user.directory_enable": ("人员重新出现在目录中,启用账号", "enabled: back in the directory"),
    "user.two_factor_on": ("启用两步验证", "two factors switched on"),
    "user.reset_two_factor": ("重置两步验证", "two factors reset"),
    "token.create": ("创建接口令牌", "API token created"),
    "token.revoke": ("吊销接口令牌", "API token revoked"),
    "auth.login": ("登录", "signed in"),
    "auth.password_off": ("本角色已停用本地密码登录,拒绝", "refused: this role may not sign in with a password"),
    "auth.logout": ("退出登录", "signed out"),
    "auth.login_failed": ("登录失败", "sign-in failed"),
    "auth.sign_on": ("通过统一身份认证登录", "signed in through the identity platform"),
    "auth.sign_on_code_owed": ("统一身份认证通过,待输入动态验证码", "identity platform vouched, second factor owed"),
    "auth.sign_on_refused": ("统一身份认证登录被拒绝", "sign-on through the identity platform refused"),
    "auth.password_ok": ("密码正确,待输入动态验证码", "password right, second factor owed"),
    "auth.code_failed": ("动态验证码错误", "wrong second-factor code"),
    "auth.login_refused_locked": ("账号锁定期间拒绝登录", "sign-in refused: account locked"),
    "auth.lockout": ("多次登录失败,账号锁定", "account locked after failed sign-ins"),
    "auth.password_change_refused_locked": ("账号锁定期间拒绝修改密码", "password change refused: account locked"),
    "auth.password_check_failed": ("修改密码时原密码错误", "wrong current password when changing it"),
    # a notification written beside a change (services.work.item_news): notice.<kind>
    **{f"notice.{kind}": (f"通知:{zh}", f"notified: {en}") for kind, (zh, en) in NOTICE_KINDS.items()},
}

UNNAMED: Words = ("其他操作", "another change")


def words(action: str) -> Words:
    """An action in words; one the table lacks (a test keeps there being none) reads as 其他操作, never its code."""
    return ACTIONS.get(action, UNNAMED)


def kind_words(kind: str) -> Words:
    """A notification's kind in words."""
    return NOTICE_KINDS.get(kind, UNNAMED)
