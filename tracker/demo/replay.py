"""The demo's replay: day by day, the scheduler's jobs and the planned steps, through the tracker's own services.

Each day runs as real use would: the daily scan at its hour through the scheduler's `run_period` (so the job
ledger fills as it would), Monday's digest round likewise (built, never mailed), then the day's steps of units
and office in time order, each with the application clock (TRACKER_CLOCK_AT) set to its moment. Answers to
supervision notices and the office's closing of records react to what the scan wrote, so they are scheduled
as the records appear. A step a service refuses is counted, not hidden: the demo's tests expect none.
"""
from __future__ import annotations

import hashlib
import heapq
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from ..errors import TrackerError
from ..extensions import db
from ..models import (AccountabilityRecord, Bulletin, EvidenceRule, ExtensionRequest, ExtensionStatus, ItemStatus,
                      ItemTemplate, RecordStatus, Role, Unit, User, WorkItem)
from ..scheduler import jobs
from ..services.assessment import bulletins
from ..services.ledger import records
from ..services.work import deadline_extensions, event_duties, progress, workflow
from ..services.work.deadlines import local_today
from ..services.ledger.digests import week_key
from ..services.work.evidence import has_evidence, rule_of
from ..services.plan.seeding import carriers_of
from ..settings import settings
from . import evidence, figures, shapes
from .planner import Clock, ItemFacts, Step, between, plan_item, rng_for, workday
from .script import Script

COLOURS = ((46, 125, 50), (21, 101, 192), (239, 108, 0), (106, 27, 154))


@dataclass
class ReplayReport:
    """What the replay did, for the command's summary and the tests."""

    days: int = 0
    steps: Counter[str] = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)


class Replay:
    """Plays the script from the plan's first day to `until` (included) on the app's database."""

    def __init__(self, app: Flask, *, script: Script, plan_id: int, until: date, files: Path) -> None:
        self.app, self.script, self.plan_id, self.until = app, script, plan_id, until
        self.settings = settings(app)
        self.zone = self.settings.timezone
        self.queue: list[Step] = []
        self.report = ReplayReport()
        self.files_written = 0
        self.storage = progress.Storage(folder=files, max_bytes=self.settings.upload_max_bytes,
                                        new_name=self._file_name)
        self.unit_facts = {u.id: (u.key, u.kind) for u in db.session.scalars(sa.select(Unit))}
        self._actors = {(u.unit_id, u.role): u.id for u in db.session.scalars(  # the lowest id of each role wins
            sa.select(User).order_by(User.id.desc()))}

    # --- the day loop -----------------------------------------------------------------------------------

    def run(self, start: date) -> ReplayReport:
        for item in db.session.scalars(sa.select(WorkItem).where(WorkItem.plan_id == self.plan_id)
                                       .order_by(WorkItem.id)):
            self._schedule(item)
        self._schedule_events(start)
        self._schedule_shapes()
        figures.schedule(self)
        day = start
        while day <= self.until:
            self._run_day(day)
            self.report.days += 1
            day += timedelta(days=1)
        return self.report

    def _run_day(self, day: date) -> None:
        scan_at = self.settings.local(day, self.settings.scan_time)
        self._set_clock(scan_at)
        jobs.run_period(jobs.job_named("scan"), day.isoformat(), settings=self.settings, now=scan_at)
        self._schedule_answers(scan_at)
        if day.weekday() == self.settings.digest_weekday:
            digest_at = self.settings.local(day, self.settings.digest_time)
            self._set_clock(digest_at)
            jobs.run_period(jobs.job_named("digest"), week_key(day), settings=self.settings, now=digest_at)
        if day == self.settings.calendar.first_working_day(day.year, day.month):
            self._draft_bulletins(day)
        end = self.settings.local(day + timedelta(days=1), datetime.min.time())
        while self.queue and self.queue[0].at < end:
            step = heapq.heappop(self.queue)
            self._set_clock(step.at)
            try:
                with db.session.begin_nested():
                    getattr(self, f"_do_{step.kind}")(step)
                self.report.steps[step.kind] += 1
            except TrackerError as exc:
                self.report.refused.append(f"{step.at:%Y-%m-%d %H:%M} item {step.item_id} {step.kind}: {exc}")
        db.session.commit()

    def push(self, step: Step) -> None:
        heapq.heappush(self.queue, step)

    def _set_clock(self, at: datetime) -> None:
        self.app.config["TRACKER_CLOCK_AT"] = at

    # --- scheduling -------------------------------------------------------------------------------------

    def _schedule(self, item: WorkItem) -> None:
        assert item.due_date is not None
        unit_key, kind = self.unit_facts[item.unit_id]
        facts = ItemFacts(id=item.id, due=item.due_date, created=local_today(item.created_at, self.zone),
                          created_at=item.created_at, plan_end=item.plan.end_date)
        for step in plan_item(facts, profile=self.script.profile_for(unit_key, kind), office=self.script.office,
                              seed=self.script.seed, zone=self.zone):
            heapq.heappush(self.queue, step)

    def _schedule_events(self, start: date) -> None:
        """Event-driven duties entered by the office a few times a quarter, on days drawn from the seed."""
        templates = event_duties.event_templates(self.plan_id)
        if not templates:
            return
        units = {u.key: u for u in db.session.scalars(sa.select(Unit).order_by(Unit.key))}
        quarter = date(start.year, 1 + 3 * ((start.month - 1) // 3), 1)
        while quarter <= self.until:
            rng = rng_for(self.script.seed, "events", quarter)
            for number in range(between(rng, self.script.office["events_per_quarter"])):
                template = rng.choice(templates)
                unit = rng.choice(carriers_of(template.carriers, units))
                day = workday(quarter + timedelta(days=rng.randint(0, 88)))
                label = f"{rng.choice(self.script.texts['event_labels'])}({day:%Y}年第{number + 1}件)"
                at = Clock(self.zone).at(day, rng)
                heapq.heappush(self.queue, Step(at, 0, number, "event", {
                    "template_id": template.id, "unit_id": unit.id, "label": label, "day": day}))
            quarter = date(quarter.year + quarter.month // 10, (quarter.month + 2) % 12 + 1, 1)

    def _schedule_shapes(self) -> None:
        """The scripted story of handed-out work (demo/shapes.py); item id 0 sorts it before the day's cards."""
        self.shaped: dict[str, int] = {}
        for index, beat in enumerate(shapes.BEATS):
            heapq.heappush(self.queue, Step(shapes.moment(beat, self.zone), 0, index, "shape", {"beat": beat}))

    def _schedule_answers(self, scan_at: datetime) -> None:
        """The units' answers to the supervision notices the scan just issued (or none, as the script says)."""
        issued = db.session.scalars(sa.select(AccountabilityRecord).where(
            AccountabilityRecord.issued_at == scan_at, AccountabilityRecord.answer_due.is_not(None))
            .order_by(AccountabilityRecord.id))
        today = local_today(scan_at, self.zone)
        for record in issued:
            unit_key, kind = self.unit_facts[record.unit_id]
            profile = self.script.profile_for(unit_key, kind)
            rng = rng_for(self.script.seed, "answer", record.id)
            if rng.random() < profile["answer"]:
                day = workday(today + timedelta(days=max(1, between(rng, profile["answer_days"]))))
                heapq.heappush(self.queue, Step(Clock(self.zone).at(day, rng), record.item_id, 10_000 + record.id,
                                                "answer", {"record_id": record.id}))

    def _draft_bulletins(self, day: date) -> None:
        """Last month's 通报 (and the quarter's) drafted by the scheduler's job; the office issues most of them a
        few days later with a sentence of its own, as the script says."""
        job = jobs.job_named("bulletin")
        assert isinstance(job, jobs.BulletinJob)
        at = self.settings.local(day, self.settings.bulletin_time)
        self._set_clock(at)
        jobs.run_period(job, job.previous_key(bulletins.month_key(day)), settings=self.settings, now=at)
        made = db.session.scalars(sa.select(Bulletin).where(Bulletin.created_at == at).order_by(Bulletin.id))
        for bulletin in made:
            rng = rng_for(self.script.seed, "bulletin", bulletin.kind, bulletin.period)
            if rng.random() < self.script.bulletins["issue"]:
                when = workday(day + timedelta(days=between(rng, self.script.bulletins["issue_days"])))
                text = rng.choice(self.script.bulletins["lead_texts"])
                heapq.heappush(self.queue, Step(Clock(self.zone).at(when, rng), 0, 20_000 + bulletin.id,
                                                "issue_bulletin", {"bulletin_id": bulletin.id, "text": text}))

    # --- the steps --------------------------------------------------------------------------------------

    def _item(self, step: Step) -> WorkItem:
        item = db.session.get(WorkItem, step.item_id)
        assert item is not None
        return item

    def _carrier(self, item: WorkItem, *, member_may: bool = False) -> User:
        """The unit's administrator; for signing and progress a member when the unit has one."""
        roles = [Role.UNIT_MEMBER, Role.UNIT_ADMIN] if member_may else [Role.UNIT_ADMIN]
        for role in roles:
            if (item.unit_id, role) in self._actors:
                return self.person(item.unit_id, role)
        raise TrackerError(f"单位 {item.unit_id} 没有演示账号")

    def office(self) -> User:
        office_unit = next(unit for unit, role in self._actors if role == Role.OFFICE_ADMIN)
        return self.person(office_unit, Role.OFFICE_ADMIN)

    def person(self, unit_id: int, role: Role) -> User:
        return self._user(self._actors[unit_id, role])

    def _user(self, user_id: int) -> User:
        user = db.session.get(User, user_id)
        assert user is not None
        return user

    def _text(self, kind: str, step: Step) -> str:
        texts = self.script.texts[kind]
        return texts[(step.item_id + step.seq) % len(texts)]

    def _do_event(self, step: Step) -> None:
        template = db.session.get(ItemTemplate, step.data["template_id"])
        unit = db.session.get(Unit, step.data["unit_id"])
        assert template is not None and unit is not None
        item = event_duties.enter_event(template=template, unit=unit,
                                  event_date=step.data["day"], label=step.data["label"], actor=self.office(),
                                  now=step.at)
        self._schedule(item)

    def _do_shape(self, step: Step) -> None:
        step.data["beat"].action(self, step.at, self.shaped)

    def _do_issue_bulletin(self, step: Step) -> None:
        bulletin = bulletins.get_bulletin(step.data["bulletin_id"], actor=self.office())
        now = step.at
        bulletins.edit_text(bulletin, actor=self.office(), lead_text=f"{bulletin.lead_text}\n{step.data['text']}",
                            closing_text=None, expected_version=bulletin.version, now=now)
        bulletins.issue(bulletin, actor=self.office(), expected_version=bulletin.version, now=now,
                        ladder=self.settings.ladder, number_format=self.settings.number_format, notify_leaders=True)

    def _do_targets(self, step: Step) -> None:
        figures.set_targets(self, step.at)

    def _do_figure(self, step: Step) -> None:
        figures.report(self, step)

    def _do_figure_decision(self, step: Step) -> None:
        figures.decide(self, step)

    def _do_sign(self, step: Step) -> None:
        item = self._item(step)
        workflow.move(item, actor=self._carrier(item, member_may=True), to=ItemStatus.IN_PROGRESS,
                      expected_version=item.version, now=step.at)

    def _do_progress(self, step: Step) -> None:
        item = self._item(step)
        files = list(self._evidence(item, step)) if step.data["evidence"] else []
        progress.add_update(item, actor=self._carrier(item, member_may=True), text=self._text("progress", step),
                            percent=step.data["percent"], files=files, storage=self.storage, now=step.at)

    def _do_ask_extension(self, step: Step) -> None:
        item = self._item(step)
        deadline_extensions.request_extension(item, actor=self._carrier(item), due=step.data["due"],
                                     reason=self._text("extension_reasons", step), now=step.at)

    def _do_decide_extension(self, step: Step) -> None:
        pending = db.session.scalars(sa.select(ExtensionRequest).where(
            ExtensionRequest.item_id == step.item_id, ExtensionRequest.status == ExtensionStatus.PENDING)).one()
        refusals = self.script.office["refusal_reasons"]
        note = None if step.data["grant"] else refusals[step.item_id % len(refusals)]
        deadline_extensions.decide(pending, actor=self.office(), grant=step.data["grant"], note=note, now=step.at)

    def _do_submit(self, step: Step) -> None:
        """A unit whose item needs evidence and has sent none with its progress attaches it to the report."""
        item = self._item(step)
        owes = rule_of(item) == EvidenceRule.REQUIRED and not has_evidence(item.id)
        files = list(self._evidence(item, step)) if owes else []
        workflow.move(item, actor=self._carrier(item), to=ItemStatus.SUBMITTED, expected_version=item.version,
                      now=step.at, note=self._text("reports", step),
                      evidence=workflow.Evidence(files, self.storage) if files else None)

    def _do_return(self, step: Step) -> None:
        item = self._item(step)
        workflow.move(item, actor=self.office(), to=ItemStatus.IN_PROGRESS, expected_version=item.version,
                      now=step.at, note=step.data["reason"])

    def _do_approve(self, step: Step) -> None:
        item = self._item(step)
        workflow.move(item, actor=self.office(), to=ItemStatus.DONE, expected_version=item.version, now=step.at)

    def _do_answer(self, step: Step) -> None:
        record = db.session.get(AccountabilityRecord, step.data["record_id"])
        assert record is not None
        if record.status != RecordStatus.OPEN:
            return
        item = self._item(step)
        today = local_today(step.at, self.zone)
        rng = rng_for(self.script.seed, "remedy", record.id)
        records.answer(record, actor=self._carrier(item), explanation=self._text("explanations", step),
                       remedy_date=today + timedelta(days=rng.randint(7, 30)), now=step.at, timezone=self.zone)
        if rng.random() < self.script.office["close_answered"]:
            day = workday(today + timedelta(days=between(rng, self.script.office["close_days"])))
            heapq.heappush(self.queue, Step(Clock(self.zone).at(day, rng), record.item_id, 20_000 + record.id,
                                            "close", {"record_id": record.id}))

    def _do_close(self, step: Step) -> None:
        record = db.session.get(AccountabilityRecord, step.data["record_id"])
        assert record is not None
        if record.status != RecordStatus.ANSWERED:  # closed already, or settled when the item was approved
            return
        notes = self.script.office["close_notes"]
        records.close(record, actor=self.office(), note=notes[record.id % len(notes)], now=step.at)

    # --- evidence ---------------------------------------------------------------------------------------

    def _evidence(self, item: WorkItem, step: Step) -> Iterator[progress.Upload]:
        spec = self.script.evidence
        assert item.task is not None  # the script reports on the plan's items, each of a task
        rng = rng_for(self.script.seed, "evidence", item.id, step.seq)
        for number in range(between(rng, spec["files_per_update"])):
            kind = spec["kinds"][(item.id + step.seq + number) % len(spec["kinds"])]
            size = between(rng, spec["size_bytes"])
            label = f"Demo evidence: item {item.id}, update {step.seq}, file {number + 1}"
            content = (evidence.pdf(label, size) if kind == "pdf"
                       else evidence.png(COLOURS[item.id % len(COLOURS)], size, label))
            name = f"任务{item.task.number}-{item.unit.short_name}-佐证材料{step.seq}-{number + 1}.{kind}"
            yield progress.Upload(filename=name, stream=io.BytesIO(content))

    def _file_name(self) -> str:
        """Stored names drawn from the seed, so a replay stores (and audits) the same names every time."""
        self.files_written += 1
        return hashlib.sha256(f"{self.script.seed}:file:{self.files_written}".encode()).hexdigest()[:32]
