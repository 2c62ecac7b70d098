"""The program model: what `program.yaml` holds, typed, described and immutable.

Every field carries a description; the descriptions feed the JSON Schema (`handbook schema`),
the editor's completion and the field reference page of the site. Fields whose description
says "Markdown" accept Markdown (emphasis, lists, links); raw HTML in them is shown as text.
All other text fields are plain text.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Optional

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, max_length=64),
    Field(description="An id: lowercase letters, digits and single hyphens, e.g. `time-constraints`."),
]


class Translatable:
    """Marks a text type as words a translation of the program (program.de.yaml) may give in another language."""

    def __repr__(self) -> str:
        return "Translatable()"


TRANSLATED = Translatable()
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000), TRANSLATED]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=20000), TRANSLATED]
Plain = Annotated[str, StringConstraints(min_length=1, max_length=2000)]  # the same in every language (a name)
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
Language = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]


def _time_not_number(value: object) -> object:
    """YAML reads an unquoted 14:00 as the number 840 (base 60); refuse it rather than guess."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise PydanticCustomError("time_unquoted", "expected a time in quotes")
    return value


Clock = Annotated[dt.time, BeforeValidator(_time_not_number)]


def _known_zone(value: str) -> str:
    """Refuse a time zone the calendars could not use, here where the problem has a line."""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(value)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError; a malformed key a ValueError
        raise PydanticCustomError("unknown_zone", "unknown time zone") from None
    return value


TimeZone = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_known_zone)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class Model(BaseModel):
    """Base of every section: unknown keys are errors, values are frozen once loaded."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
        use_attribute_docstrings=False,
    )


# --- program -----------------------------------------------------------------------------


class Contact(Model):
    """A person participants can reach about the program."""

    name: Plain = Field(description="Full name of the contact person.")
    role: Optional[Text] = Field(
        None, description="What this person does for the program; `Program coordinator` in the program's language if left out."
    )
    email: Email = Field(description="Email address participants write to.")
    phone: Optional[Text] = Field(None, description="Phone number, if participants may call (words in it, such as `extension`, may be translated).")
    office_hours: Optional[Text] = Field(None, description="When the contact is usually reachable.")


class ProgramInfo(Model):
    """Who runs the program, which version of it this is, and when it applies."""

    name: Text = Field(description="Name of the program as participants know it.")
    organization: Text = Field(description="Organization that runs the program.")
    tagline: Optional[Text] = Field(None, description="One sentence that says what the program is for.")
    version: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(
        description="Version of this handbook and agreement text, e.g. `2026.1`. Printed on every agreement."
    )
    effective_date: dt.date = Field(description="Date from which this version applies (YYYY-MM-DD).")
    review_date: dt.date = Field(description="Date by which the program is reviewed next (YYYY-MM-DD).")
    language: Language = Field(
        "en", description="Language of the handbook as a BCP 47 tag, e.g. `en` or `de-CH`. With `languages`, "
        "leave it out: it is the first of them."
    )
    languages: tuple[Language, ...] = Field(
        (), description="Every language the handbook is published in, the source language first, e.g. `[en, de]`. "
        "Each further language's text is in a translation beside program.yaml (`program.de.yaml`); what it "
        "does not translate falls back to the source language. Left out: one language, `language`."
    )
    timezone: TimeZone = Field("UTC", description="Time zone of the program's meetings, e.g. `Europe/Berlin`.")
    coordinator: Contact = Field(description="The program coordinator participants contact.")
    duration_months: int = Field(
        6, ge=1, le=60, description="How long a mentoring relationship runs, in months. It ends with a closing "
        "session on the session day nearest to this many calendar months after the first session; the agreements "
        "and calendars print that date."
    )

    @model_validator(mode="before")
    @classmethod
    def _source_language(cls, data: Any) -> Any:
        """With `languages` and no `language`, the handbook's language is the first of them (the source)."""
        if isinstance(data, dict) and "language" not in data and isinstance(data.get("languages"), (list, tuple)) \
                and data["languages"] and isinstance(data["languages"][0], str):
            return {**data, "language": data["languages"][0]}
        return data


# --- overview ----------------------------------------------------------------------------


class Comparison(Model):
    """One aspect on which peer mentoring differs from traditional mentoring."""

    aspect: Text = Field(description="What is compared, e.g. `Power dynamic`.")
    peer: Text = Field(description="How it is in peer mentoring.")
    traditional: Text = Field(description="How it is in traditional (senior-to-junior) mentoring.")


class Role(Model):
    """A role someone holds in the program, with what it is responsible for."""

    id: Slug
    title: Text = Field(description="Name of the role, e.g. `Peer mentor`.")
    description: LongText = Field(description="Who holds this role and why. Markdown.")
    responsibilities: tuple[Text, ...] = Field(
        min_length=1, description="What someone in this role does, one item each."
    )


class Overview(Model):
    """What the program is, why it matters, and who takes part."""

    summary: LongText = Field(description="What the program is, in a paragraph or two. Markdown.")
    why_it_matters: LongText = Field(description="Why the program matters for leadership development. Markdown.")
    peer_vs_traditional: tuple[Comparison, ...] = Field(
        (), description="How peer mentoring differs from traditional mentoring, aspect by aspect."
    )
    not_covered: tuple[Text, ...] = Field(
        (), description="What the program is not (e.g. therapy, performance management), one item each."
    )
    roles: tuple[Role, ...] = Field(min_length=1, description="The roles in the program.")


# --- benefits and goals ------------------------------------------------------------------


class Benefit(Model):
    """A benefit participants and the organization can expect."""

    id: Slug
    title: Text = Field(description="Name of the benefit, e.g. `Enhanced learning`.")
    description: LongText = Field(description="What the benefit is and how it comes about. Markdown.")
    in_practice: tuple[Text, ...] = Field((), description="What the benefit looks like in practice, one item each.")


class Measure(Model):
    """How progress toward a goal is measured, with a target."""

    description: Text = Field(description="What is measured, e.g. `Participants who rate sessions useful`.")
    target: Text = Field(description="The value aimed for, e.g. `80 %` or `at least 10 sessions`.")
    method: Optional[Text] = Field(None, description="How and when it is measured, e.g. `mid-point survey`.")


class Goal(Model):
    """An objective of the program, with how it is measured."""

    id: Slug
    title: Text = Field(description="The goal in a few words, e.g. `Enhance leadership skills`.")
    description: LongText = Field(description="What the goal means and why it matters. Markdown.")
    measures: tuple[Measure, ...] = Field(min_length=1, description="How progress is measured, each with a target.")
    benefits: tuple[Slug, ...] = Field((), description="Ids of the benefits this goal builds on.")


# --- guidelines --------------------------------------------------------------------------


WEEKS_OF_THE_MONTH = ("first", "second", "third", "fourth", "last")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
START_WEEKDAY = "start-weekday"  # monthly, on the weekday and week of the month of the group's start
MONTHLY_DAYS = tuple(f"{week}-{day}" for week in WEEKS_OF_THE_MONTH for day in WEEKDAYS) + (START_WEEKDAY,)


def _monthly_day(value: object) -> object:
    """Refuse an unknown day of the month here, with the choices, rather than as a 36-way literal error."""
    if value not in MONTHLY_DAYS:
        raise PydanticCustomError("monthly_day", "expected a week of the month and a weekday")
    return value


MonthlyDay = Annotated[Literal[MONTHLY_DAYS], BeforeValidator(_monthly_day)]  # type: ignore[valid-type]


class Meetings(Model):
    """How often groups meet and for how long: every few weeks (`every_weeks`) or monthly (`monthly`)."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": ["every_weeks"]}, {"required": ["monthly"]}]})

    every_weeks: Optional[int] = Field(
        None, ge=1, le=12, description="Groups meet every this many weeks, e.g. `1` for weekly, `2` for fortnightly. "
        "Write this or `monthly`."
    )
    monthly: Optional[MonthlyDay] = Field(
        None, description="Groups meet once a month on this day: the week of the month (`first`, `second`, `third`, "
        "`fourth` or `last`) and the weekday, e.g. `first-tuesday` or `last-friday`; or `start-weekday`: the weekday "
        "and week of the month of the group's start (a group starting on the second Tuesday meets every second "
        "Tuesday). The first session is the first such day on or after the group's start. Write this or `every_weeks`."
    )
    length_minutes: int = Field(ge=15, le=480, description="Length of a session in minutes.")
    minimum_sessions: int = Field(1, ge=1, le=200, description="Fewest sessions a group holds over the relationship.")
    scheduling: Text = Field(description="Who schedules the sessions and how, e.g. `partners take turns`.")
    in_work_time: bool = Field(True, description="Whether sessions happen in paid working time.")
    start_time: Clock = Field(
        dt.time(10, 0), description="Suggested start time of sessions (HH:MM) in the groups' calendars; groups move it."
    )
    notes: tuple[Text, ...] = Field((), description="Further arrangements about meetings, one item each.")

    @field_validator("monthly")
    @classmethod
    def _not_both(cls, value: Optional[str], info: ValidationInfo) -> Optional[str]:
        if value is not None and info.data.get("every_weeks") is not None:
            raise PydanticCustomError("rhythm_both", "sessions are either every few weeks or monthly, not both")
        return value

    @model_validator(mode="after")
    def _one_rhythm(self) -> "Meetings":
        if self.every_weeks is None and self.monthly is None:
            raise PydanticCustomError("rhythm_missing", "how often groups meet is missing")
        return self


class Channel(Model):
    """A way pairs communicate."""

    name: Text = Field(description="The channel, e.g. `Video call`.")
    use_for: Text = Field(description="What the channel is used for.")


class Guidelines(Model):
    """Rules of the mentoring relationship: meetings, channels, documentation, boundaries."""

    meetings: Meetings = Field(description="Meeting frequency, session length and scheduling.")
    channels: tuple[Channel, ...] = Field(min_length=1, description="Communication channels pairs use.")
    agenda: tuple[Text, ...] = Field(min_length=1, description="The standard session agenda, one item per step.")
    documentation: tuple[Text, ...] = Field(
        min_length=1, description="What pairs write down and where they keep it, one item each."
    )
    boundaries: tuple[Text, ...] = Field(min_length=1, description="Boundaries of the relationship, one item each.")
    ground_rules: tuple[Text, ...] = Field(min_length=1, description="Ground rules both partners agree to.")
    conflict_resolution: tuple[Text, ...] = Field(
        min_length=1, description="Steps to resolve a disagreement between partners, in order."
    )


# --- confidentiality ---------------------------------------------------------------------


class Clause(Model):
    """A confidentiality clause of the agreement."""

    id: Slug
    text: LongText = Field(description="The clause as it is printed in the agreement.")


class Limit(Model):
    """A situation in which confidentiality does not hold."""

    id: Slug
    title: Text = Field(description="The situation in a few words, e.g. `Risk of harm`.")
    kind: Optional[Literal["harm", "legal-duty", "safeguarding", "misconduct", "other"]] = Field(
        None,
        description="What kind of limit this is, in any language of the title: `harm` (a risk of harm to self or "
        "others), `legal-duty` (a law or regulation requires disclosure), `safeguarding`, `misconduct` or `other`. "
        "The standards check reads it to see that the limits cover a risk of harm and a legal duty.",
    )
    description: LongText = Field(description="What happens in this situation and who is told. Markdown.")


class Confidentiality(Model):
    """What stays between partners, where that ends, and what a breach leads to."""

    principles: tuple[Text, ...] = Field(min_length=1, description="Principles of confidentiality, one item each.")
    clauses: tuple[Clause, ...] = Field(min_length=1, description="Clauses both partners sign in the agreement.")
    limits: tuple[Limit, ...] = Field(
        min_length=1, description="Situations where confidentiality does not hold (risk of harm, legal duty, ...)."
    )
    breach_consequences: tuple[Text, ...] = Field(
        min_length=1, description="What follows a breach of confidentiality, in order of severity."
    )
    reporting: Text = Field(description="How a participant reports a suspected breach, and to whom.")
    retention: Optional[Text] = Field(
        default=None,
        description="What the program keeps about each group (match records, returned forms, attendance), who "
        "can see it, and when it is deleted. Shown on the Confidentiality page, in the book and in the agreement.",
    )


# --- training ----------------------------------------------------------------------------


class Session(Model):
    """One date on which a training module is held: when, for how long, and where."""

    date: dt.date = Field(description="Date of the session (YYYY-MM-DD).")
    start: Clock = Field(description="Start time (HH:MM), in the program's time zone.")
    end: Optional[Clock] = Field(None, description="End time (HH:MM); or give `length_minutes`, not both.")
    length_minutes: Optional[int] = Field(
        None, ge=5, le=720, description="Length of the session in minutes, when no `end` is given."
    )
    place: Optional[Text] = Field(None, description="Where it takes place, e.g. `Room 2, Building A` or `Online`.")

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value: Optional[dt.time], info: ValidationInfo) -> Optional[dt.time]:
        start = info.data.get("start")
        if value is not None and start is not None and value <= start:
            raise PydanticCustomError("end_before_start", "the end is not after the start ({start})",
                                      {"start": start.strftime("%H:%M")})
        return value

    @field_validator("length_minutes")
    @classmethod
    def _end_or_length(cls, value: Optional[int], info: ValidationInfo) -> Optional[int]:
        if value is not None and info.data.get("end") is not None:
            raise PydanticCustomError("end_and_length", "give either `end` or `length_minutes`, not both")
        return value

    @property
    def finish(self) -> Optional[dt.time]:
        """Return the end time: `end`, or `start` plus `length_minutes`; None when neither is given."""
        if self.end is not None or self.length_minutes is None:
            return self.end
        moment = dt.datetime.combine(self.date, self.start) + dt.timedelta(minutes=self.length_minutes)
        return moment.time() if moment.date() == self.date else None


class Module(Model):
    """A training module of the curriculum."""

    id: Slug
    title: Text = Field(description="Name of the module, e.g. `Active listening`.")
    hours: float = Field(gt=0, le=40, description="Length of the module in hours, e.g. `1.5`.")
    format: Literal["workshop", "e-learning", "webinar", "peer-practice", "reading", "coaching"] = Field(
        description="How the module is delivered."
    )
    timing: Literal["before-matching", "after-matching"] = Field(
        description="Whether participants complete it before they are matched or during the relationship."
    )
    summary: LongText = Field(description="What the module is about. Markdown.")
    objectives: tuple[Text, ...] = Field(min_length=1, description="What participants can do afterwards.")
    activities: tuple[Text, ...] = Field(min_length=1, description="What happens in the module, in order.")
    materials: tuple[Text, ...] = Field((), description="Handouts, readings and tools used.")
    addresses: tuple[Slug, ...] = Field((), description="Ids of the challenges this module prepares for.")
    date: Optional[dt.date] = Field(
        None, description="Date of a module held once (YYYY-MM-DD), for the site and the program calendar; "
        "`sessions` says more. With `sessions`, leave it out: it reads as the first session's date."
    )
    start_time: Optional[Clock] = Field(
        None, description="Start time (HH:MM) of a module held once; all day if left out. With `sessions`, leave it "
        "out: it reads as the first session's start."
    )
    sessions: tuple[Session, ...] = Field(
        (), description="When and where the module is held, one item per session (a module held twice, or in "
        "parts, has several), in the program's time zone. Shown on the training pages of the site."
    )

    @field_validator("sessions")
    @classmethod
    def _sessions_or_date(cls, value: tuple[Session, ...], info: ValidationInfo) -> tuple[Session, ...]:
        if value and (info.data.get("date") is not None or info.data.get("start_time") is not None):
            raise PydanticCustomError("sessions_and_date",
                                      "give the module's dates either as `sessions` or as `date` and `start_time`, "
                                      "not both")
        return value

    @model_validator(mode="after")
    def _first_session(self) -> "Module":
        # The program calendar reads `date` and `start_time`: with sessions, they are the first one's.
        if self.sessions:
            first = min(self.sessions, key=lambda s: (s.date, s.start))
            object.__setattr__(self, "date", first.date)
            object.__setattr__(self, "start_time", first.start)
        return self

    @property
    def schedule(self) -> tuple[Session, ...]:
        """Return the module's sessions in date order; a module held once by `date` gives one (its start may be None)."""
        if self.sessions:
            return tuple(sorted(self.sessions, key=lambda s: (s.date, s.start)))
        if self.date is None:
            return ()
        return (Session.model_construct(date=self.date, start=self.start_time, end=None, length_minutes=None,
                                        place=None),)


class Training(Model):
    """The training curriculum."""

    summary: LongText = Field(description="What the training prepares participants for. Markdown.")
    modules: tuple[Module, ...] = Field(min_length=1, description="The modules of the curriculum, in order.")


# --- challenges and playbooks ------------------------------------------------------------


class Challenge(Model):
    """Something that can go wrong in a peer mentoring relationship."""

    id: Slug
    title: Text = Field(description="The challenge in a few words, e.g. `Time constraints`.")
    description: LongText = Field(description="What the challenge is and why it matters. Markdown.")
    warning_signs: tuple[Text, ...] = Field(min_length=1, description="Signs that the challenge is arising.")


class Step(Model):
    """One step of a playbook."""

    action: Text = Field(description="What to do.")
    who: Slug = Field(description="Id of the role that acts (see `overview.roles`).")
    when: Optional[Text] = Field(None, description="When to do it, e.g. `within a week`.")


class Playbook(Model):
    """A remedy: what participants and the organization do about one or more challenges."""

    id: Slug
    title: Text = Field(description="Name of the remedy, e.g. `Allocate time`.")
    addresses: tuple[Slug, ...] = Field(min_length=1, description="Ids of the challenges this playbook addresses.")
    summary: LongText = Field(description="What the remedy is and why it works. Markdown.")
    steps: tuple[Step, ...] = Field(min_length=1, description="What to do, in order, and who does it.")
    escalation: Text = Field(description="What to do and whom to involve when the steps do not help.")
    tools: tuple[Text, ...] = Field((), description="Tools, templates and forms this playbook uses.")


# --- implementation, monitoring, closure -------------------------------------------------


class ImplementationStep(Model):
    """A step the organization takes to run the program."""

    id: Slug
    title: Text = Field(description="The step in a few words, e.g. `Identify goals`.")
    stages: tuple[Literal["recruitment", "screening", "training", "matching", "monitoring", "closure"], ...] = Field(
        (),
        description="Which stages of running a program this step carries out, e.g. `[recruitment, screening]`. "
        "The standards check reads them to see that recruitment and screening are described.",
    )
    description: LongText = Field(description="What the step is and why it matters. Markdown.")
    actions: tuple[Text, ...] = Field(min_length=1, description="What is done in this step, one item each.")
    owner: Slug = Field(description="Id of the role responsible for the step.")
    when: Text = Field(description="When the step happens, e.g. `6 weeks before launch`.")


class CheckIn(Model):
    """A scheduled contact between the coordinator and a pair."""

    id: Slug
    title: Text = Field(description="Name of the check-in, e.g. `First-month check-in`.")
    week: int = Field(ge=0, le=260, description="Weeks after the pair's start date when the check-in happens.")
    format: Text = Field(description="How it happens, e.g. `15-minute call with each partner`.")
    questions: tuple[Text, ...] = Field(min_length=1, description="What the coordinator asks.")


class Monitoring(Model):
    """How the program follows pairs and evaluates itself."""

    summary: LongText = Field(description="How monitoring and evaluation work. Markdown.")
    check_ins: tuple[CheckIn, ...] = Field(min_length=1, description="Scheduled check-ins with each pair.")
    monthly_after: bool = Field(
        True, description="Whether the coordinator contacts each pair monthly after the scheduled check-ins."
    )
    measures: tuple[Text, ...] = Field(min_length=1, description="What the program measures, one item each.")
    feedback: tuple[Text, ...] = Field(min_length=1, description="How feedback is gathered and used, one item each.")
    never_reported: tuple[Text, ...] = Field(
        (), description="What evaluation never reports (e.g. session content, individual performance)."
    )


class Ending(Model):
    """How one kind of ending works."""

    description: LongText = Field(description="What this ending is. Markdown.")
    steps: tuple[Text, ...] = Field(min_length=1, description="What happens, in order.")


class Closure(Model):
    """How relationships end, planned or not, and how partners are rematched."""

    planned: Ending = Field(description="The planned end of a relationship at the end of the program.")
    unplanned: Ending = Field(description="An early end, e.g. when someone leaves the organization.")
    no_fault_exit: LongText = Field(
        description="How either partner can end the relationship without giving reasons or blame. Markdown."
    )
    rematching: LongText = Field(description="How a participant whose relationship ended is rematched. Markdown.")


# --- matching ----------------------------------------------------------------------------


class Criterion(Model):
    """A roster column that counts toward how well two people fit."""

    column: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)] = Field(
        description="Roster column name, e.g. `goals` or `expertise`."
    )
    weight: float = Field(gt=0, le=100, description="How much this criterion counts relative to the others.")
    prefer: Literal["similar", "complementary"] = Field(
        description="`similar` scores shared values; `complementary` scores different ones."
    )
    description: Text = Field(description="Why this criterion matters, shown to participants.")


class Constraints(Model):
    """Rules no match may break."""

    different_manager: bool = Field(True, description="Partners never share a manager (no reporting line).")
    different_department: bool = Field(False, description="Partners always come from different departments.")
    max_timezone_gap_hours: Optional[int] = Field(
        None, ge=0, le=24, description="Largest time-zone difference between partners, in hours."
    )
    no_repeat_partners: bool = Field(True, description="Partners were never matched with each other before.")


class Matching(Model):
    """How peers are matched: the criteria that score a fit and the constraints no match breaks."""

    summary: LongText = Field(description="How matching works, as participants read it. Markdown.")
    group_size: int = Field(
        2, ge=2, le=6,
        description="People per group, from 2 (pairs) to 6 (circles). When the roster does not divide, some "
        "groups are one larger: 10 people in triads make 3 + 3 + 4, 11 people in pairs make four pairs and one "
        "triad. `handbook match` refuses, naming the roster, a roster with fewer people than this or one too "
        "small to share out its remainder (5 people in triads).",
    )
    allow_triad: bool = Field(
        True, description="With pairs only: whether one group of three is formed when the count is odd."
    )
    criteria: tuple[Criterion, ...] = Field(min_length=1, description="Roster columns that score a fit.")
    constraints: Constraints = Field(default_factory=Constraints, description="Rules no match may break.")
    participant_input: tuple[Text, ...] = Field(
        (), description="How participants understand and influence their match, one item each."
    )


# --- the whole program -------------------------------------------------------------------


class Program(Model):
    """A peer-mentoring program as one declarative document: the root of `program.yaml`."""

    program: ProgramInfo = Field(description="Who runs the program, its version and dates.")
    overview: Overview = Field(description="What the program is and who takes part.")
    benefits: tuple[Benefit, ...] = Field(min_length=1, description="Benefits of taking part.")
    goals: tuple[Goal, ...] = Field(min_length=1, description="Objectives of the program.")
    guidelines: Guidelines = Field(description="Rules of the mentoring relationship.")
    confidentiality: Confidentiality = Field(description="The confidentiality agreement.")
    training: Training = Field(description="The training curriculum.")
    challenges: tuple[Challenge, ...] = Field(min_length=1, description="What can go wrong.")
    playbooks: tuple[Playbook, ...] = Field(min_length=1, description="Remedies for the challenges.")
    implementation: tuple[ImplementationStep, ...] = Field(
        min_length=1, description="Steps the organization takes to run the program, in order."
    )
    monitoring: Monitoring = Field(description="Check-ins, measures and feedback.")
    closure: Closure = Field(description="Endings and rematching.")
    matching: Matching = Field(description="Matching criteria and constraints.")
    cohort: Optional[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        None,
        description="Path of the cohort file (participants and their groups) relative to program.yaml, "
        "e.g. `cohort.yaml`. Personal data: used for agreements and calendars, never for the site.",
    )
    previous: Optional[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        None,
        description="Path of the program file of the version before this one, relative to program.yaml, e.g. "
        "`versions/program-2025.yaml`. The site then gets a page of what changed since that version, and the "
        "downloads page says whether the agreement's text changed (every group that signed it signs again).",
    )

    def role(self, role_id: str) -> Role:
        """Return the role with this id."""
        return next(r for r in self.overview.roles if r.id == role_id)

    def playbooks_for(self, challenge_id: str) -> tuple[Playbook, ...]:
        """Return the playbooks that address this challenge, in file order."""
        return tuple(p for p in self.playbooks if challenge_id in p.addresses)

    def challenge(self, challenge_id: str) -> Challenge:
        """Return the challenge with this id."""
        return next(c for c in self.challenges if c.id == challenge_id)

    def training_hours(self, timing: str) -> float:
        """Return the hours of training with this timing (`before-matching` or `after-matching`)."""
        return sum(m.hours for m in self.training.modules if m.timing == timing)


def program_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of program.yaml, every field described."""
    schema = Program.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "program.schema.json",
        "title": "program.yaml of a handbook",
        **schema,
    }
