"""The recovery plan as a PDF: `render_plan_pdf(plan, path)`.

Two steps (STYLE.md rule 5): `plan_document()` turns a RecoveryPlan into a PlanDocument of
plain texts (what the PDF says, tested on its own), and `render_document()` draws it: a cover
with the readiness verdict, a table of contents, the instructions and contacts, the volumes
required with Code 128 barcodes, the readiness problems, machines and recovery media, the
starter kit and the last recovery test, and every stanza of the plan file in monospace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)

from drm_gui.core.files import PLAN_FILE_MODE
from drm_gui.core.plan_model import Machine, RecoveryPlan, RequiredVolume
from drm_gui.core.states import STATE_GROUPS, DrmState
from drm_gui.reports.blocks import Column, MonoBlock, RowTable
from drm_gui.reports.layout import (
    GREEN,
    MUTED,
    VERMILLION,
    Heading,
    TocLine,
    chunked_tables,
    register_fonts,
    stylesheet,
    table_style,
    write_report,
)

INSTRUCTIONS = (
    ("RECOVERY.INSTRUCTIONS.GENERAL", "General instructions and contacts"),
    ("RECOVERY.INSTRUCTIONS.OFFSITE", "Off-site vault: access and contacts"),
    ("RECOVERY.INSTRUCTIONS.INSTALL", "Installing the server"),
    ("RECOVERY.INSTRUCTIONS.DATABASE", "Restoring the database"),
    ("RECOVERY.INSTRUCTIONS.STGPOOL", "Restoring the storage pools"),
)
COVER_PROBLEMS = 15  # problems listed on the cover; all of them in their own section
TEST_MAX_AGE = dt.timedelta(days=365)
VOLUME_COLUMNS = ("Barcode", "Volser", "Kind", "Series / pool", "Device class", "Location", "State")
WHERE = {
    DrmState.MOUNTABLE: "still on site",
    DrmState.NOTMOUNTABLE: "still on site",
    DrmState.COURIER: "in transit to the vault",
    DrmState.COURIERRETRIEVE: "in transit back to the site",
    DrmState.ONSITERETRIEVE: "back on site",
    DrmState.VAULTRETRIEVE: "in the vault, recalled",
    DrmState.VAULT: "in the vault",
}
assert set(WHERE) == {s for states in STATE_GROUPS.values() for s in states}


# The data step -----------------------------------------------------------------------------
@dataclass(frozen=True)
class TocEntry:
    key: str
    title: str
    level: int = 0


@dataclass(frozen=True)
class CoverFacts:
    server: str
    created_local: str
    created_utc: str
    source: str
    plan_prefix: str
    volume_count: int
    ready: bool
    verdict: str  # "READY" or "NOT READY": the words, whatever the colour
    summary: str
    problems: tuple[str, ...]  # the first COVER_PROBLEMS
    more_problems: int  # how many more the readiness section lists


@dataclass(frozen=True)
class TextSection:
    key: str
    title: str
    stanza: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class VolumeRow:
    volser: str
    kind: str
    series: str
    device_class: str
    location: str
    state: str

    def cells(self) -> tuple[str, ...]:
        # The first cell is the barcode's value (drawn as bars), the second the text.
        return (
            self.volser,
            self.volser,
            self.kind,
            self.series,
            self.device_class,
            self.location,
            self.state,
        )


@dataclass(frozen=True)
class MediaRow:
    name: str
    media_type: str
    volumes: str  # in load order
    location: str
    product: str


@dataclass(frozen=True)
class MachineSection:
    key: str
    title: str
    facts: tuple[tuple[str, str], ...]
    instructions: tuple[str, ...]
    characteristics: tuple[str, ...]
    nodes: tuple[str, ...]
    media: tuple[MediaRow, ...]


@dataclass(frozen=True)
class ScriptSection:
    key: str
    name: str
    lines: tuple[str, ...]
    executable: bool


@dataclass(frozen=True)
class PlanDocument:
    title: str
    footer: str
    cover: CoverFacts
    toc: tuple[TocEntry, ...]
    problems: tuple[tuple[str, str], ...]  # (volser, what is wrong), every one
    instructions: tuple[TextSection, ...]
    volumes: tuple[VolumeRow, ...]
    machines: tuple[MachineSection, ...]
    starter_kit: tuple[str, ...]
    last_test: str
    test_overdue: bool
    scripts: tuple[ScriptSection, ...]


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _series(volume: RequiredVolume) -> str:
    if volume.kind.is_database:
        parts = [f"series {volume.series}" if volume.series is not None else "series ?"]
        if volume.operation is not None:
            parts.append("full" if volume.operation == 0 else f"incr. {volume.operation}")
        if volume.sequence is not None:
            parts.append(f"vol. {volume.sequence}")
        return " · ".join(parts)
    return volume.pool or "–"


def _state(volume: RequiredVolume) -> str:
    if volume.state is DrmState.VAULT:
        return volume.state.label
    return f"{volume.state.label}: NOT in the vault"


def _problems(plan: RecoveryPlan) -> tuple[tuple[str, str], ...]:
    readiness = plan.readiness
    rows = [
        (
            v.volser,
            f"{v.state.label}, {WHERE[v.state]}" + (f" ({v.location})" if v.location else ""),
        )
        for v in readiness.not_in_vault
    ]
    rows += [(volser, "missing: not in the records") for volser in readiness.missing]
    rows += [(volser, "expired or recalled from the vault") for volser in readiness.expired]
    return tuple(rows)


def _machine(number: int, machine: Machine) -> MachineSection:
    place = ", ".join(
        f"{label} {value}"
        for label, value in (
            ("building", machine.building),
            ("floor", machine.floor),
            ("room", machine.room),
        )
        if value
    )
    facts = (
        ("Priority", f"{machine.priority} (1 is recovered first)"),
        ("Location", place or "–"),
        ("Role", "runs the storage server" if machine.server else "client machine"),
        ("Description", machine.description or "–"),
    )
    media = tuple(
        MediaRow(
            m.name,
            m.media_type.value,
            ", ".join(m.volumes) or "–",
            m.location or "–",
            m.product or "–",
        )
        for m in machine.media
    )
    return MachineSection(
        key=f"machine-{number}",
        title=machine.name + (" (storage server)" if machine.server else ""),
        facts=facts,
        instructions=machine.recovery_instructions,
        characteristics=machine.characteristics,
        nodes=machine.nodes,
        media=media,
    )


def plan_document(plan: RecoveryPlan) -> PlanDocument:
    """What the PDF of *plan* says, as plain values."""
    created = _utc(plan.created_at)
    local = created.astimezone()
    problems = _problems(plan)
    ready = plan.readiness.ready
    cover = CoverFacts(
        server=plan.server_name,
        created_local=f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip(),
        created_utc=f"{created:%Y-%m-%d %H:%M} UTC",
        source=plan.source,
        plan_prefix=plan.plan_prefix,
        volume_count=len(plan.volumes_required),
        ready=ready,
        verdict="READY" if ready else "NOT READY",
        summary=plan.readiness.summary,
        problems=tuple(f"{v}: {what}" for v, what in problems[:COVER_PROBLEMS]),
        more_problems=max(0, len(problems) - COVER_PROBLEMS),
    )
    instructions = tuple(
        TextSection(f"instructions-{n}", title, stanza, plan.instructions.get(stanza, ()))
        for n, (stanza, title) in enumerate(INSTRUCTIONS)
    )
    known = {stanza for stanza, _ in INSTRUCTIONS}
    instructions += tuple(
        TextSection(f"instructions-{n}", stanza, stanza, lines)
        for n, (stanza, lines) in enumerate(sorted(plan.instructions.items()), len(INSTRUCTIONS))
        if stanza not in known
    )
    volumes = tuple(
        VolumeRow(
            v.volser, v.kind.label, _series(v), v.device_class or "–", v.location or "–", _state(v)
        )
        for v in plan.volumes_required
    )
    machines = tuple(_machine(n, m) for n, m in enumerate(plan.machines))
    scripts = tuple(
        ScriptSection(f"stanza-{n}", s.name, s.lines, s.executable)
        for n, s in enumerate(plan.stanzas)
    )
    if plan.last_recovery_test is None:
        last_test, overdue = "never recorded", True
    else:
        age = created.date() - plan.last_recovery_test
        last_test = f"{plan.last_recovery_test:%Y-%m-%d} ({age.days} days before this plan)"
        overdue = age > TEST_MAX_AGE

    toc = [] if ready else [TocEntry("problems", "Readiness problems")]
    toc.append(TocEntry("instructions", "Instructions and contacts"))
    toc += [TocEntry(s.key, s.title, 1) for s in instructions]
    toc.append(TocEntry("volumes", f"Volumes required ({len(volumes):,})"))
    toc.append(TocEntry("machines", "Machines and recovery media"))
    toc += [TocEntry(m.key, m.title, 1) for m in machines]
    toc.append(TocEntry("starter-kit", "Starter kit and recovery test"))
    toc.append(TocEntry("scripts", "Plan file: scripts and macros"))
    toc += [TocEntry(s.key, s.name, 1) for s in scripts]
    return PlanDocument(
        title=f"Disaster recovery plan: {plan.server_name}",
        footer=f"{plan.server_name} · recovery plan of {cover.created_utc} · confidential",
        cover=cover,
        toc=tuple(toc),
        problems=problems,
        instructions=instructions,
        volumes=volumes,
        machines=machines,
        starter_kit=plan.starter_kit,
        last_test=last_test,
        test_overdue=overdue,
        scripts=scripts,
    )


# The render step ---------------------------------------------------------------------------
def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), stylesheet()[style])


def _hex(colour: Color) -> str:
    return "#" + colour.hexval()[2:]


def _facts_table(rows: tuple[tuple[str, str], ...], width: float) -> Table:
    sheet = stylesheet()
    data = [
        [Paragraph(escape(k), sheet["cell_head"]), Paragraph(escape(v), sheet["cell"])]
        for k, v in rows
    ]
    table = Table(data, colWidths=[40 * mm, width - 40 * mm])
    table.setStyle(table_style())
    table.setStyle(
        [
            ("BACKGROUND", (0, 0), (0, -1), "#DDE3EA"),
            ("ROWBACKGROUNDS", (0, 0), (-1, -1), ["white"]),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#B0B0B0"),
        ]
    )
    return table


def _cover(doc: PlanDocument, width: float) -> list[Flowable]:
    fonts = register_fonts()
    sheet = stylesheet()
    c = doc.cover
    colour = GREEN if c.ready else VERMILLION
    mark = fonts.symbol("✓", "[OK]") if c.ready else fonts.symbol("✗", "[!]")
    story: list[Flowable] = [
        Spacer(1, 10 * mm),
        _p("Disaster recovery plan", "title"),
        _p(c.server, "subtitle"),
        Spacer(1, 6 * mm),
        Paragraph(f'<font color="{_hex(colour)}">{mark} {c.verdict}</font>', sheet["verdict"]),
        _p(c.summary, "heading2"),
    ]
    if c.problems:
        story += [_p(f"• {problem}") for problem in c.problems]
        if c.more_problems:
            story.append(
                _p(
                    f"… and {c.more_problems:,} more, every one listed under “Readiness problems”.",
                    "body",
                )
            )
    story.append(Spacer(1, 8 * mm))
    facts = (
        ("Server", c.server),
        ("Created", f"{c.created_local} (local time), {c.created_utc}"),
        ("Source", c.source),
        ("Plan prefix", c.plan_prefix),
        ("Volumes required", f"{c.volume_count:,}"),
        ("Last recovery test", doc.last_test + (" – OVERDUE" if doc.test_overdue else "")),
    )
    story.append(_facts_table(facts, width))
    return story


def _toc(doc: PlanDocument) -> list[Flowable]:
    return [_p("Contents", "heading1"), *(TocLine(e.key, e.title, e.level) for e in doc.toc)]


def _instructions(doc: PlanDocument) -> list[Flowable]:
    story: list[Flowable] = [Heading("Instructions and contacts", "instructions")]
    for section in doc.instructions:
        story.append(Heading(section.title, section.key, 1))
        story.append(_p(section.stanza, "small"))
        if not any(line.strip() for line in section.lines):
            story.append(
                _p(
                    "(no text entered: the administrator fills it in the app's "
                    "recovery plan settings)",
                    "small",
                )
            )
        for line in section.lines:
            story.append(_p(line) if line.strip() else Spacer(1, 4))
    return story


def _volumes(doc: PlanDocument, width: float) -> list[Flowable]:
    widths = (76, 56, 52, 84, 58, 0, 74)
    rest = width - sum(widths)
    columns = [
        Column(
            title,
            w or rest,
            mono=title == "Volser",
            bold=title == "Volser",
            barcode_of=1 if title == "Barcode" else None,
        )
        for title, w in zip(VOLUME_COLUMNS, widths, strict=True)
    ]
    story: list[Flowable] = [
        Heading(f"Volumes required ({len(doc.volumes):,})", "volumes", outline="Volumes required"),
        _p(
            "Database backup volumes first, then copy storage pool volumes, as the plan file "
            "lists them. The barcode is the volser in Code 128.",
            "small",
        ),
    ]
    if doc.volumes:
        story.append(RowTable(columns, [v.cells() for v in doc.volumes]))
    else:
        story.append(_p("No volume is required: this plan has no database backup series."))
    return story


def _problems_section(doc: PlanDocument, width: float) -> list[Flowable]:
    if not doc.problems:
        return []
    columns = [Column("Volser", 80, mono=True, bold=True), Column("Problem", width - 80)]
    return [
        Heading("Readiness problems", "problems"),
        _p("The plan is ready only when every required volume is in the vault.", "small"),
        RowTable(columns, doc.problems),
        PageBreak(),
    ]


def _machines(doc: PlanDocument, width: float) -> list[Flowable]:
    sheet = stylesheet()
    story: list[Flowable] = [Heading("Machines and recovery media", "machines")]
    if not doc.machines:
        story.append(_p("No machine is recorded for this site."))
    for m in doc.machines:
        story += [Heading(m.title, m.key, 1), _facts_table(m.facts, width), Spacer(1, 4)]
        if m.instructions:
            story.append(_p("Recovery instructions", "cell_head"))
            story += [_p(line) for line in m.instructions]
        if m.characteristics:
            story.append(_p("Characteristics", "cell_head"))
            story += [MonoBlock(m.characteristics), Spacer(1, 4)]
        if m.nodes:
            story.append(_p("Associated nodes: " + ", ".join(m.nodes)))
        if m.media:
            story.append(_p("Recovery media", "cell_head"))
            header = ["Name", "Type", "Volumes (load order)", "Location", "Product"]
            rows = [
                [
                    Paragraph(escape(text), sheet["cell"])
                    for text in (r.name, r.media_type, r.volumes, r.location, r.product)
                ]
                for r in m.media
            ]
            fixed = (90, 40, 0, 90, 80)
            story += chunked_tables(
                header, rows, [w or width - sum(fixed) for w in fixed], style=table_style()
            )
    return story


def _starter_kit(doc: PlanDocument) -> list[Flowable]:
    fonts = register_fonts()
    box = fonts.symbol("☐", "[ ]")
    story: list[Flowable] = [
        Heading("Starter kit and recovery test", "starter-kit"),
        _p("Kept at the vault with the tapes; tick each item when it was checked."),
    ]
    if doc.starter_kit:
        story += [_p(f"{box}  {item}") for item in doc.starter_kit]
    else:
        story.append(_p("(no starter-kit items recorded)", "small"))
    warning = "  – OVERDUE: the last test is over a year old or missing" if doc.test_overdue else ""
    colour = VERMILLION if doc.test_overdue else MUTED
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            f"<b>Last recovery test:</b> {escape(doc.last_test)}"
            f'<font color="{_hex(colour)}">'
            f"{escape(warning)}</font>",
            stylesheet()["body"],
        )
    )
    story.append(
        KeepTogether(
            [
                Spacer(1, 8 * mm),
                _p(
                    "Checked by: ______________________   Date: ____________   "
                    "Signature: ______________________"
                ),
            ]
        )
    )
    return story


def _scripts(doc: PlanDocument) -> list[Flowable]:
    story: list[Flowable] = [
        Heading("Plan file: scripts and macros", "scripts"),
        _p(
            "Every stanza of the plan file, line for line. Long lines are wrapped; a ↪ in the "
            "margin marks a continued line.",
            "small",
        ),
    ]
    for section in doc.scripts:
        title = section.name + ("  (executable script)" if section.executable else "")
        story += [CondPageBreak(40 * mm), Heading(title, section.key, 1, outline=section.name)]
        story.append(MonoBlock(section.lines) if section.lines else _p("(empty)", "small"))
    return story


def story_of(doc: PlanDocument, width: float) -> list[Flowable]:
    return [
        *_cover(doc, width),
        NextPageTemplate("body"),
        PageBreak(),
        *_toc(doc),
        PageBreak(),
        *_problems_section(doc, width),
        *_instructions(doc),
        PageBreak(),
        *_volumes(doc, width),
        PageBreak(),
        *_machines(doc, width),
        CondPageBreak(70 * mm),
        *_starter_kit(doc),
        PageBreak(),
        *_scripts(doc),
    ]


def render_document(
    doc: PlanDocument, path: Path, *, invariant: bool = False, mode: int = PLAN_FILE_MODE
) -> Path:
    """Draws *doc* into *path* (through a temporary file in the same folder)."""
    return write_report(
        Path(path),
        lambda width: story_of(doc, width),
        title=doc.title,
        footer=doc.footer,
        subject="Disaster recovery plan",
        mode=mode,
        invariant=invariant,
    )


def render_plan_pdf(
    plan: RecoveryPlan, path: Path, *, invariant: bool = False, mode: int = PLAN_FILE_MODE
) -> Path:
    """Writes the PDF of *plan* to *path*, readable by the owner only by default."""
    return render_document(plan_document(plan), path, invariant=invariant, mode=mode)
