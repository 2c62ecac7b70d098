"""Jinja2 environments: package templates, overridable by name from a project's templates/."""

from __future__ import annotations

import html
import re
import traceback
from pathlib import Path
from typing import Any, Callable

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from handbook import i18n
from handbook.errors import Problem, TemplateError
from handbook.i18n import N_, _
from handbook.plan.schedule import meeting_rhythm

PACKAGE_TEMPLATES = Path(__file__).parents[1] / "templates"

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|!~])")
_LINE_START = re.compile(r"^(\s*)([-+>=]|\d+[.)])(?=\s|$)", re.M)
_UNSAFE_LINK = re.compile(r"\]\(\s*<?\s*(?:javascript|vbscript|data)\s*:(?:[^()]|\([^()]*\))*\)", re.I)


def plain(value: Any) -> str:
    """Return plain text escaped for Markdown: shown exactly as written, never as markup."""
    text = html.escape(str(value), quote=False)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2) if m.group(2)[0] in "-+>=" else
                           m.group(1) + m.group(2).replace(".", "\\.").replace(")", "\\)"), text)
    return " ".join(text.split()) if "\n" not in str(value).strip() else text


def markdown(value: Any) -> str:
    """Return a Markdown field with raw HTML shown as text and unsafe link targets removed."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # Keep Markdown blockquotes, which start a line with `>`.
    text = re.sub(r"^(\s*)&gt;", r"\1>", text, flags=re.M)
    text = _UNSAFE_LINK.sub("](#)", text)
    return text.strip()


def cell(value: Any) -> str:
    """Return plain text for a Markdown table cell (one line, pipes escaped)."""
    return plain(" ".join(str(value).split()))


# How a training module is delivered (model.Module.format: ids), as every output names it.
MODULE_FORMATS = {
    "workshop": N_("Workshop"), "e-learning": N_("E-learning"), "webinar": N_("Webinar"),
    "peer-practice": N_("Peer practice"), "reading": N_("Reading"), "coaching": N_("Coaching"),
}


def training_format(value: str) -> str:
    """Return the name of a training format in the current language: `peer-practice` -> Peer practice."""
    return _(MODULE_FORMATS[value]) if value in MODULE_FORMATS else value


# (hours, dates and numbers are i18n's filters, in the current language)
FILTERS: dict[str, Callable[..., str]] = {"plain": plain, "md": markdown, "cell": cell,
                                         "rhythm": meeting_rhythm,  # how often groups meet, in the current language
                                         "training_format": training_format}


def environment(kind: str, project_templates: Path | None) -> jinja2.Environment:
    """Return an environment for `kind` (`site` or `print`) with project overrides first."""
    loaders: list[jinja2.BaseLoader] = []
    if project_templates is not None and (project_templates / kind).is_dir():
        loaders.append(jinja2.FileSystemLoader(str(project_templates / kind), followlinks=False))
    loaders.append(jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES / kind)))
    # Sandboxed: an override can read the fields it is given, but not reach Python's internals
    # (`__globals__`, `__class__`, ...) to run commands or read files such as the cohort.
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=kind != "site",  # HTML everywhere but the Markdown site
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.filters.update(FILTERS)
    i18n.install(env)  # `_()`, `{% trans %}` and the date/number filters in the current language
    env.tests["contains"] = lambda sequence, item: item in sequence
    return env


def _display_name(filename: str | None, project_templates: Path | None) -> str:
    if not filename:
        return "template"
    path = Path(filename)
    if project_templates is not None:
        try:
            return (Path("templates") / path.resolve().relative_to(project_templates.resolve())).as_posix()
        except ValueError:
            pass
    try:
        return "(built-in) " + path.resolve().relative_to(PACKAGE_TEMPLATES).as_posix()
    except ValueError:
        return path.name


def render(env: jinja2.Environment, name: str, project_templates: Path | None, **context: Any) -> str:
    """Render template `name`, turning any template error into a located TemplateError."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        file = _display_name(exc.filename, project_templates)
        raise TemplateError([Problem(file, exc.lineno or 0, 0, f"template syntax: {exc.message}",
                                     hint="check the {% %} and {{ }} tags on this line",
                                     source_line=(exc.source or "").splitlines()[exc.lineno - 1]
                                     if exc.source and exc.lineno else "")]) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError([Problem(name, 0, 0, f"template {exc.name!r} not found",
                                     hint="an override must keep the name of the template it replaces")]) from None
    except (jinja2.UndefinedError, jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
        # Find the innermost template frame: Jinja maps it to the template's own file and line.
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename and f.filename.endswith((".j2", ".html", ".css", ".md"))]
        frame = frames[-1] if frames else None
        file = _display_name(frame.filename if frame else None, project_templates)
        line = frame.lineno if frame and frame.lineno else 0
        source = ""
        if frame and Path(frame.filename).is_file():
            lines = Path(frame.filename).read_text(encoding="utf-8", errors="replace").splitlines()
            source = lines[line - 1] if 0 < line <= len(lines) else ""
        message = str(exc) if isinstance(exc, jinja2.UndefinedError) else f"{type(exc).__name__}: {exc}"
        raise TemplateError([Problem(file, line, 0, f"template error: {message}",
                                     hint="fields available to templates are listed on the site's "
                                          "reference page", source_line=source)]) from None
