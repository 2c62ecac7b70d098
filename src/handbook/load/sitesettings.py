"""Site settings (mkdocs.yml): read safely, checked like program.yaml, the handbook's opt-ins taken out.

MkDocs reads mkdocs.yml with PyYAML's full loader, so a `!!python/object/apply:` tag would run
when it builds. Here the file is read with a safe loader that knows MkDocs' own `!ENV` and
`!relative` tags and a few harmless `!!python/name:` references; the engine is handed the
data, never the file. Every problem is located (file:line:col). `read_settings` finds what can
be known from the file and the installed packages; the stage every command runs (commands/stage.py)
then has the site engine check the settings as a build would configure them.
"""

from __future__ import annotations

import html.parser
import importlib.util
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
import yaml_env_tag

from handbook.errors import InputError, Problem, did_you_mean
from handbook.load.yamlsource import MAX_NODES, Source, check_syntax, format_path

SETTINGS_FILE = "mkdocs.yml"
MAX_SETTINGS_BYTES = 512 * 1024  # a site settings file is a few KB
OPT_IN_KEY = "handbook"  # the handbook's own settings, removed before the engine sees the rest
ALLOW_EXTERNAL = "allow_external"
OPT_IN_HINT = f"or allow other hosts with `{OPT_IN_KEY}: {{{ALLOW_EXTERNAL}: true}}`"

# Markdown extensions the generated pages use: the site's settings get the ones mkdocs.yml lacks,
# and links in content pages are read with them, as the site engine will read them.
REQUIRED_EXTENSIONS = ("admonition", "attr_list", "md_in_html", "tables", "toc", "pymdownx.details",
                       "pymdownx.superfences")

_STANDARD = "tag:yaml.org,2002:"
_PYTHON_NAME = _STANDARD + "python/name:"
# `!!python/name:` references the mkdocs-material docs use, which only point at a function: icons
# as inline SVG, Unicode heading ids. Any other Python tag could run code while the file is read.
PYTHON_NAMES = ("material.extensions.emoji.twemoji", "material.extensions.emoji.to_svg",
                "markdown.extensions.toc.slugify", "markdown.extensions.toc.slugify_unicode")

# MkDocs 1.6's settings (tests compare this with MkDocs' own schema), each with its expected shape.
_TEXT, _FLAG, _LIST, _MAP = "text", "true or false", "a list", "a mapping"
MKDOCS_KEYS: dict[str, str] = {
    "site_name": _TEXT, "site_url": _TEXT, "site_description": _TEXT, "site_author": _TEXT, "copyright": _TEXT,
    "repo_url": _TEXT, "repo_name": _TEXT, "edit_uri": _TEXT, "edit_uri_template": _TEXT, "dev_addr": _TEXT,
    "remote_branch": _TEXT, "remote_name": _TEXT, "docs_dir": _TEXT, "site_dir": _TEXT, "exclude_docs": _TEXT,
    "draft_docs": _TEXT, "not_in_nav": _TEXT, "INHERIT": _TEXT, "google_analytics": _LIST,
    "use_directory_urls": _FLAG, "strict": _FLAG,
    "nav": _LIST, "pages": _LIST, "extra_css": _LIST, "extra_javascript": _LIST, "extra_templates": _LIST,
    "watch": _LIST, "hooks": _LIST,
    "extra": _MAP, "validation": _MAP, "mdx_configs": _MAP,
    "theme": "a theme name or a mapping with `name`", "plugins": "a list of plugins",
    "markdown_extensions": "a list of Markdown extensions",
}
_SHAPES = {_TEXT: (str, int, float), _FLAG: (bool,), _LIST: (list,), _MAP: (dict,)}
# Settings the generator sets itself; accepted but not offered in hints.
OWNED = ("site_name", "nav", "pages", "docs_dir", "site_dir", "use_directory_urls", "strict")

# Settings that run code or templates from the project outside handbook's sandbox.
_RUNS_CODE = {
    "hooks": "runs Python files from the project while building",
    "extra_templates": "renders templates outside handbook's template sandbox",
    "INHERIT": "reads a second settings file",
}
# Plugins that reach other hosts while building, or build other MkDocs projects.
_NETWORK_PLUGINS = {"social": "downloads fonts from other hosts while building",
                    "privacy": "downloads files from other hosts while building"}
_REFUSED_PLUGINS = {"projects": "builds other MkDocs projects, whose settings MkDocs reads unsafely"}
_COPYRIGHT_TAGS = {"a", "abbr", "b", "br", "code", "em", "i", "small", "span", "strong", "time"}
_COPYRIGHT_ATTRIBUTES = {"href", "title", "class", "id", "lang", "datetime", "rel", "target"}


class Relative(str):
    """The value of a `!relative` tag; the MkDocs engine turns it into MkDocs' own placeholder."""


class PythonName(str):
    """An allowed `!!python/name:` reference; `resolve` imports it."""


@dataclass(frozen=True)
class SiteSettings:
    """mkdocs.yml read safely: the settings for the engine, where each one is, and the opt-ins."""

    path: Path
    data: dict[str, Any]
    source: Source
    allow_external: bool = False

    def problem(self, key: str, message: str, hint: str = "") -> Problem:
        """Return a problem located at the top-level setting `key` (the file's start if it is absent)."""
        return self.source.problem((key,), message, hint, key=True)


try:  # libyaml is much faster; both read the same way.
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """A safe loader that also knows MkDocs' `!ENV` and `!relative` tags and allowed Python names."""


_Loader.add_constructor("!ENV", yaml_env_tag.construct_env_tag)
_Loader.add_constructor("!relative", lambda loader, node: Relative(loader.construct_scalar(node)))
_Loader.add_multi_constructor(_PYTHON_NAME, lambda loader, suffix, node: PythonName(suffix))


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len(_STANDARD):] if tag.startswith(_STANDARD) else tag


class _Walker:
    """Records where every key and value is, and refuses tags and duplicate keys, before anything is built."""

    def __init__(self, name: str, text: str) -> None:
        self.name, self.text = name, text
        self.values: dict[tuple[Any, ...], tuple[int, int]] = {}
        self.keys: dict[tuple[Any, ...], tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.lines = text.splitlines()

    def _line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def _add(self, node: yaml.Node, path: tuple[Any, ...], message: str, hint: str) -> None:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        self.problems.append(Problem(self.name, line, column, message, format_path(path), hint, self._line(line)))

    def walk(self, node: yaml.Node, path: tuple[Any, ...]) -> None:
        self.count += 1
        if self.count > MAX_NODES:  # aliases can repeat subtrees without end (the "billion laughs")
            self._add(node, path, f"the settings expand to more than {MAX_NODES:,} values",
                      "aliases (`*name`) repeat whole subtrees; use fewer of them")
            raise InputError(self.problems)
        self.values.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if not self._tag_allowed(node, path):
            return
        if isinstance(node, yaml.SequenceNode):
            for index, child in enumerate(node.value):
                self.walk(child, path + (index,))
        elif isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _STANDARD + "merge":
                    self.walk(value_node, path)
                    continue
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
                line = key_node.start_mark.line + 1
                if key in seen:
                    self._add(key_node, path + (key,), f"duplicate key {key!r} (first defined on line {seen[key]})",
                              "YAML keeps only the last of duplicate keys; merge them or rename one")
                    continue
                seen[key] = line
                self.keys[path + (key,)] = (line, key_node.start_mark.column + 1)
                self._tag_allowed(key_node, path + (key,))
                self.walk(value_node, path + (key,))

    def _tag_allowed(self, node: yaml.Node, path: tuple[Any, ...]) -> bool:
        tag = node.tag
        if tag in yaml.SafeLoader.yaml_constructors and tag is not None:
            return True
        if tag == "!ENV" and isinstance(node, (yaml.ScalarNode, yaml.SequenceNode)):
            return True
        if tag == "!relative" and isinstance(node, yaml.ScalarNode):
            prefix = str(node.value).partition("/")[0]
            if prefix in ("", "$config_dir", "$docs_dir"):
                return True
            self._add(node, path, f"expected `!relative`, `!relative $config_dir/...` or `!relative $docs_dir/...`, "
                                  f"got {node.value!r}", "see MkDocs' documentation of the `!relative` tag")
            return False
        if tag.startswith(_PYTHON_NAME) and tag[len(_PYTHON_NAME):] in PYTHON_NAMES:
            return True
        self._add(node, path, f"the tag {_shown_tag(tag)!r} is not allowed in site settings",
                  "handbook runs no code from mkdocs.yml; it reads the tags `!ENV` and `!relative`, and "
                  "`!!python/name:` only for " + ", ".join(PYTHON_NAMES))
        return False


def _read(path: Path, name: str) -> tuple[Source, Any]:
    """Parse `path` safely into a Source with positions and its data, or raise InputError."""
    raw = path.read_bytes()
    if len(raw) > MAX_SETTINGS_BYTES:
        raise InputError([Problem(name, 0, 0, f"file is {len(raw) // 1024} KB; the largest accepted is "
                                  f"{MAX_SETTINGS_BYTES // 1024} KB", hint="is this the right file?")])
    check_syntax(raw, name)  # located syntax errors, depth and document count, with the fast parser
    text = raw.decode("utf-8").lstrip("\ufeff")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        walker = _Walker(name, text)
        if node is not None:
            walker.walk(node, ())
        if walker.problems:
            raise InputError(walker.problems)
        try:
            data = loader.construct_document(node) if node is not None else None
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            raise InputError([Problem(name, line, column, f"cannot read a value: {getattr(exc, 'problem', exc)}",
                                      hint="put the value in quotes to keep it as text",
                                      source_line=walker._line(line))]) from None
    finally:
        loader.dispose()
    return Source(name, text, data, walker.values, walker.keys), data


def read_settings(path: Path, root: Path | None = None) -> SiteSettings:
    """Read and check the site settings at `path`; raise InputError with every problem found."""
    name = path.name if root is None else _relative(path, root)
    source, data = _read(path, name)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError([source.problem((), f"expected a mapping of settings, got {data!r}",
                                         "start from the default: `handbook init DIR` writes one")])
    problems: list[Problem] = []
    own = data.pop(OPT_IN_KEY, None)
    allow_external = False
    if own is not None:
        if not isinstance(own, dict):
            problems.append(source.problem((OPT_IN_KEY,), f"expected a mapping, got {own!r}",
                                           f"e.g. {OPT_IN_KEY}: {{{ALLOW_EXTERNAL}: true}}"))
        else:
            for key, value in own.items():
                if key != ALLOW_EXTERNAL:
                    problems.append(source.problem((OPT_IN_KEY, key), f"unknown key {key!r}"
                                                   f"{did_you_mean(key, [ALLOW_EXTERNAL])}",
                                                   f"allowed keys here: {ALLOW_EXTERNAL}", key=True))
                elif not isinstance(value, bool):
                    problems.append(source.problem((OPT_IN_KEY, key), f"expected true or false, got {value!r}"))
                else:
                    allow_external = value
    settings = SiteSettings(path, data, source, allow_external)
    problems += _key_problems(settings)
    # Names are looked up only in settings of the right shape: one problem per mistake.
    if _shaped(data, "theme"):
        problems += _theme_problems(settings)
    if _shaped(data, "plugins"):
        problems += _plugin_problems(settings, data["plugins"], ("plugins",))
    if _shaped(data, "markdown_extensions"):
        problems += _extension_problems(settings, root or path.parent)
    problems += _external_problems(settings) + _snippet_problems(settings)
    if problems:
        raise InputError(problems)
    return settings


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _key_problems(settings: SiteSettings) -> list[Problem]:
    """Return problems with top-level keys: unknown ones, wrong shapes, settings that run code."""
    problems = []
    offered = sorted(k for k in MKDOCS_KEYS if k not in (*OWNED, *_RUNS_CODE, "google_analytics", "mdx_configs"))
    for key, value in settings.data.items():
        path = (key,)
        if key not in MKDOCS_KEYS:
            problems.append(settings.source.problem(
                path, f"unknown key {key!r}{did_you_mean(key, [*MKDOCS_KEYS, OPT_IN_KEY])}",
                "allowed keys: " + ", ".join(offered) + f", {OPT_IN_KEY}", key=True))
        elif key in _RUNS_CODE:
            problems.append(settings.source.problem(
                path, f"`{key}` is not allowed: it {_RUNS_CODE[key]}",
                "put page templates in templates/site/ and the settings themselves into mkdocs.yml", key=True))
        elif value is not None and not _has_shape(key, value):
            problems.append(settings.source.problem(path, f"expected {MKDOCS_KEYS[key]}, got {value!r}",
                                                    _shape_hint(key)))
    return problems


def _shaped(data: dict[str, Any], key: str) -> bool:
    return data.get(key) is not None and _has_shape(key, data[key])


def _has_shape(key: str, value: Any) -> bool:
    shape = MKDOCS_KEYS[key]
    if key == "theme":
        return isinstance(value, str) or (isinstance(value, dict) and isinstance(value.get("name"), (str, type(None))))
    if key in ("plugins", "markdown_extensions"):
        return isinstance(value, (list, dict))
    if shape == _TEXT:
        return isinstance(value, _SHAPES[shape]) and not isinstance(value, bool)
    return isinstance(value, _SHAPES[shape])


def _shape_hint(key: str) -> str:
    if key == "theme":
        return "e.g. theme: material, or theme: {name: material, features: [navigation.top]}"
    if key in ("plugins", "markdown_extensions"):
        return f"write one name per line: `{key}:` then `  - name` or `  - name: {{option: value}}`"
    shape = MKDOCS_KEYS[key]
    return {_TEXT: "put the text in quotes", _FLAG: "write true or false",
            _LIST: "write one item per line, each starting with `- `",
            _MAP: "write `key: value` pairs, indented under the key"}[shape]


def _items(value: Any) -> list[tuple[Any, Any, Any]]:
    """Return (index or name, name, options) for a list of names or {name: options}, or a mapping of them."""
    if isinstance(value, dict):
        return [(name, name, options) for name, options in value.items()]
    items = []
    for index, item in enumerate(value or []):
        if isinstance(item, dict) and len(item) == 1:
            name, options = next(iter(item.items()))
            items.append((index, name, options))
        else:
            items.append((index, item, None if isinstance(item, str) else item))
    return items


def _theme_name(settings: SiteSettings) -> str:
    theme = settings.data.get("theme")
    name = theme.get("name") if isinstance(theme, dict) else theme
    return name if isinstance(name, str) else "material"


def _theme_problems(settings: SiteSettings) -> list[Problem]:
    theme = settings.data["theme"]
    path: tuple[Any, ...] = ("theme", "name") if isinstance(theme, dict) else ("theme",)
    name = theme.get("name") if isinstance(theme, dict) else theme
    installed = sorted(ep.name for ep in entry_points(group="mkdocs.themes"))
    problems = []
    if name not in installed:
        problems.append(settings.source.problem(path, f"unknown theme {name!r}{did_you_mean(str(name), installed)}",
                                                "installed themes: " + ", ".join(installed)))
    if isinstance(theme, dict):
        if "custom_dir" in theme:
            problems.append(settings.source.problem(
                ("theme", "custom_dir"), "`custom_dir` is not allowed: its templates would run outside "
                "handbook's template sandbox", "override the handbook's page templates in templates/site/ instead",
                key=True))
        features = theme.get("features")
        if features is not None and not (isinstance(features, list) and all(isinstance(f, str) for f in features)):
            problems.append(settings.source.problem(("theme", "features"), f"expected a list of feature names, "
                                                    f"got {features!r}", "e.g. features: [navigation.top]"))
        palette = theme.get("palette")
        if palette is not None and not (isinstance(palette, dict) or (
                isinstance(palette, list) and all(isinstance(p, dict) for p in palette))):
            problems.append(settings.source.problem(("theme", "palette"), f"expected a mapping or a list of "
                                                    f"mappings, got {palette!r}",
                                                    "e.g. palette: {primary: indigo, accent: indigo}"))
    return problems


def _plugin_names() -> list[str]:
    return sorted(ep.name for ep in entry_points(group="mkdocs.plugins"))


def _plugin_problems(settings: SiteSettings, plugins: Any, path: tuple[Any, ...]) -> list[Problem]:
    if plugins is None:
        return []
    if not isinstance(plugins, (list, dict)):
        return [settings.source.problem(path, f"expected a list of plugins, got {plugins!r}", _shape_hint("plugins"))]
    installed = _plugin_names()
    namespace = _theme_name(settings) + "/"
    problems = []
    for where, name, options in _items(plugins):
        at = path + (where,)
        if not isinstance(name, str):
            problems.append(settings.source.problem(at, f"expected a plugin name, got {name!r}",
                                                    _shape_hint("plugins")))
            continue
        bare = name.split(" #")[0].strip()  # MkDocs allows `name #2` for a second instance
        if bare not in installed and namespace + bare not in installed:
            shown = sorted({n.split("/")[-1] for n in installed})
            problems.append(settings.source.problem(
                at, f"unknown plugin {bare!r}{did_you_mean(bare.split('/')[-1], shown)}",
                "installed plugins: " + ", ".join(shown) + "; a plugin must be installed with pip first"))
            continue
        short = bare.split("/")[-1]
        if options is not None and not isinstance(options, dict):
            problems.append(settings.source.problem(at, f"expected the options of {bare!r} as a mapping, "
                                                    f"got {options!r}", "e.g. `- search: {lang: en}`"))
        elif short in _REFUSED_PLUGINS:
            problems.append(settings.source.problem(at, f"the plugin {bare!r} is not allowed: it "
                                                    f"{_REFUSED_PLUGINS[short]}", "remove it"))
        elif short in _NETWORK_PLUGINS and not settings.allow_external:
            problems.append(settings.source.problem(at, f"the plugin {bare!r} {_NETWORK_PLUGINS[short]}",
                                                    "remove it, " + OPT_IN_HINT))
        elif short == "group" and isinstance(options, dict):
            problems += _plugin_problems(settings, options.get("plugins"), at + (name, "plugins"))
    return problems


def _extension_candidates() -> list[str]:
    names = {ep.name for ep in entry_points(group="markdown.extensions")}
    for package in ("markdown.extensions", "pymdownx"):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            names.update(f"{package}.{p.stem}" for p in Path(folder).glob("*.py") if not p.stem.startswith("_"))
    return sorted(names)


def _installed_folders() -> list[Path]:
    """Return the folders pip installs into for this Python (a virtual environment's included)."""
    import site
    import sysconfig

    paths = sysconfig.get_paths()
    folders = {paths["purelib"], paths["platlib"], *site.getsitepackages(), site.getusersitepackages()}
    return [Path(folder).resolve() for folder in folders if folder]


def _inside(path: str | None, root: Path) -> bool:
    """Return whether `path` is a file of the project itself; installed packages are not, even in a
    virtual environment inside the project folder (README: `python3 -m venv .venv` there)."""
    if not path:
        return False
    resolved = Path(path).resolve()
    if any(resolved.is_relative_to(folder) for folder in _installed_folders()):
        return False
    return resolved.is_relative_to(root.resolve())


def _extension_problems(settings: SiteSettings, root: Path) -> list[Problem]:
    extensions = settings.data["markdown_extensions"]
    import markdown

    installed = {ep.name for ep in entry_points(group="markdown.extensions")}
    problems = []
    for where, name, options in _items(extensions):
        at = ("markdown_extensions", where)
        if not isinstance(name, str):
            problems.append(settings.source.problem(at, f"expected a Markdown extension name, got {name!r}",
                                                    _shape_hint("markdown_extensions")))
            continue
        if options is not None and not isinstance(options, dict):
            problems.append(settings.source.problem(at, f"expected the options of {name!r} as a mapping, "
                                                    f"got {options!r}", "e.g. `- toc: {toc_depth: 2}`"))
            continue
        if name not in installed:
            # Only installed packages: a module in the project would run the project's own code.
            top = name.split(":")[0].split(".")[0]
            try:
                spec = importlib.util.find_spec(top) if top.isidentifier() else None
            except (ImportError, ValueError):
                spec = None
            locations = [spec.origin, *(spec.submodule_search_locations or [])] if spec else []
            if any(_inside(location, root) for location in locations):
                problems.append(settings.source.problem(
                    at, f"the Markdown extension {name!r} is a Python file in the project",
                    "handbook runs no code from the project; use extensions installed with pip"))
                continue
        try:
            markdown.Markdown().build_extension(name, resolve(options or {}))
        except Exception as exc:  # an extension may fail in any way while loading; name it and say why
            if isinstance(exc, ImportError) or name not in installed and "makeExtension" in str(exc):
                message = f"unknown Markdown extension {name!r}{did_you_mean(name, _extension_candidates())}"
                hint = "a Markdown extension must be installed with pip first; names are like `toc` or `pymdownx.details`"
            else:
                message = f"the options of the Markdown extension {name!r} are not accepted: {exc}"
                hint = "see the extension's documentation for its options"
            problems.append(settings.source.problem(at, message, hint))
    return problems


def is_site_path(value: Any) -> bool:
    """Tell whether `value` is a relative path to a file inside the site (no host, no scheme, no `..`)."""
    if not isinstance(value, str) or not value.strip():
        return False
    parts = urlsplit(value.strip())
    if parts.scheme or parts.netloc or value.strip().startswith(("/", "\\")):
        return False
    depth = 0
    for part in parts.path.replace("\\", "/").split("/"):
        depth += -1 if part == ".." else (part not in ("", "."))
        if depth < 0:
            return False
    return True


def _external_problems(settings: SiteSettings) -> list[Problem]:
    """Return problems with settings that make readers' browsers load from other hosts, and unsafe HTML."""
    data, source = settings.data, settings.source
    problems = _copyright_problems(settings)
    if settings.allow_external:
        return problems
    path_hint = ("it would make every reader's browser load from another host; put the file in content/ and "
                 "name it by its path there (e.g. `extra/site.css`), " + OPT_IN_HINT)
    for key in ("extra_css", "extra_javascript"):
        for index, item in enumerate(data[key] if isinstance(data.get(key), list) else []):
            target = item.get("path") if isinstance(item, dict) else item
            at = (key, index, "path") if isinstance(item, dict) else (key, index)
            if not is_site_path(target):
                problems.append(source.problem(at, f"expected a path to a file in the site, got {target!r}",
                                               path_hint))
    theme = data.get("theme") if isinstance(data.get("theme"), dict) else {}
    for key in ("logo", "favicon"):
        if key in theme and not is_site_path(theme[key]):
            problems.append(source.problem(("theme", key), f"expected a path to an image in the site, "
                                                           f"got {theme[key]!r}", path_hint))
    extra = data.get("extra") if isinstance(data.get("extra"), dict) else {}
    refused = [(("extra", "analytics"), "analytics" in extra, "sends every reader's visits to another host"),
               (("extra", "consent"), "consent" in extra,
                "asks readers to accept services on other hosts, which the site does not use"),
               (("theme", "analytics"), "analytics" in theme, "sends every reader's visits to another host"),
               (("google_analytics",), data.get("google_analytics") is not None,
                "sends every reader's visits to another host")]
    for at, present, why in refused:
        if present:
            problems.append(source.problem(at, f"`{format_path(at)}` is not allowed: it {why}",
                                           "remove it, " + OPT_IN_HINT, key=True))
    repo = data.get("repo_url")
    host = urlsplit(str(repo)).netloc.lower() if repo else ""
    if host == "github.com" or host.endswith(".github.com") or "gitlab" in host:
        problems.append(source.problem(("repo_url",), f"`repo_url` on {host} is not allowed: the theme fetches the "
                                       "repository's stars and forks from that host in every reader's browser",
                                       "link to the repository from a content page instead, " + OPT_IN_HINT))
    for where, name, options in _items(data["markdown_extensions"] if _shaped(data, "markdown_extensions") else []):
        if name == "pymdownx.emoji" and not (isinstance(options, dict) and
                                              options.get("emoji_generator") == "material.extensions.emoji.to_svg"):
            problems.append(source.problem(
                ("markdown_extensions", where), "`pymdownx.emoji` without mkdocs-material's SVG icons shows "
                "images from another host", "add `emoji_generator: !!python/name:material.extensions.emoji.to_svg` "
                "and `emoji_index: !!python/name:material.extensions.emoji.twemoji`, " + OPT_IN_HINT))
    return problems


def _snippet_problems(settings: SiteSettings) -> list[Problem]:
    """`pymdownx.snippets` includes files into pages: only the site's own files, never the cohort or the web."""
    data = settings.data
    problems = []
    for where, name, options in _items(data["markdown_extensions"] if _shaped(data, "markdown_extensions") else []):
        if name != "pymdownx.snippets":
            continue
        options = options if isinstance(options, dict) else {}
        bases = options.get("base_path", ".")
        bases = bases if isinstance(bases, list) else [bases]
        inside = all(isinstance(b, Relative) and str(b).partition("/")[0] == "$docs_dir" for b in bases)
        if not inside or options.get("restrict_base_path") is False:
            problems.append(settings.source.problem(
                ("markdown_extensions", where), "`pymdownx.snippets` could include any file of the project, "
                "the cohort too, in the public site", "add `base_path: !relative $docs_dir` to include only the "
                "site's own files (content/), and keep `restrict_base_path` on"))
        if options.get("url_download") and not settings.allow_external:
            problems.append(settings.source.problem(
                ("markdown_extensions", where, name, "url_download"), "`url_download` fetches from other hosts "
                "while building", "remove it, " + OPT_IN_HINT, key=True))
    return problems


class _HtmlCheck(html.parser.HTMLParser):
    """Finds the first HTML tag or attribute in a text that is more than a link or emphasis."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.found:
            return
        if tag not in _COPYRIGHT_TAGS:
            self.found = f"<{tag}>"
            return
        for name, value in attrs:
            scheme = urlsplit((value or "").strip()).scheme.lower()
            if name not in _COPYRIGHT_ATTRIBUTES or (name == "href" and scheme not in ("", "http", "https", "mailto")):
                self.found = f"<{tag} {name}=...>"
                return


def _copyright_problems(settings: SiteSettings) -> list[Problem]:
    """The theme prints `copyright` as raw HTML on every page: allow text, links and emphasis only."""
    text = settings.data.get("copyright")
    if not isinstance(text, str) or "<" not in text:
        return []
    check = _HtmlCheck()
    check.feed(text)
    check.close()
    if not check.found:
        return []
    return [settings.source.problem(("copyright",), f"expected text, links and emphasis, got {check.found} in "
                                                    f"{text!r}", "the copyright is shown on every page as HTML; "
                                                    "remove the tag, or write it as text")]


def resolve(value: Any) -> Any:
    """Return `value` with allowed `!!python/name:` references imported; other values as they are."""
    if isinstance(value, PythonName):
        module, _, attribute = str(value).rpartition(".")
        return getattr(importlib.import_module(module), attribute)
    if isinstance(value, dict):
        return {k: resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v) for v in value]
    return value

