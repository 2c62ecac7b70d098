"""Write a translation file, pure: every text of program.yaml, ready to translate in place.

`handbook translate de` writes program.de.yaml with this. Each text of the program is there, in
the model's order, with its mark (`# source 3fa2c1`, see `handbook.load.translations`):

- a text already translated keeps its translation and its mark; one without a mark gets the mark
  of the current source text (whoever translated it vouches for it by leaving it);
- a stale translation keeps its old mark (so `check` goes on listing it) and gets a comment above
  it with the source text as it reads now;
- a text not yet translated is written as the source text, with the mark of that text: it stays
  untranslated (the source stands in) until someone changes it, or marks it `# same` when it
  is the same in this language on purpose.

The comments a coordinator wrote into the file are not kept; the translations and marks are.
"""

from __future__ import annotations

from typing import Optional, Union

import yaml
from pydantic import BaseModel

from handbook.i18n import _, current
from handbook.load.translations import ItemId, Key, Translation, field_kind, mark
from handbook.model import Program

INDENT = "  "


def _plain(text: str) -> str:
    """Return a one-line text as a YAML scalar: plain when YAML reads it back as the same text, quoted otherwise."""
    dumped = yaml.safe_dump(text, allow_unicode=True, width=2**30, default_flow_style=True)
    return dumped.removesuffix("\n").removesuffix("\n...").rstrip("\n")


class _Writer:
    def __init__(self, translation: Optional[Translation]) -> None:
        self.translation = translation
        self.lines: list[str] = []

    def scalar(self, lead: str, path: tuple[Key, ...], source: str) -> None:
        """Write one text after `lead` (`  title:` or `    -`), translated or as the source text, with its mark."""
        found = self.translation.texts.get(path) if self.translation else None
        text, tag = (found.text, found.mark or mark(source)) if found else (source, mark(source))
        word = "same" if found and found.same else "source"
        if found and found.mark and found.mark != mark(source):
            now = " ".join(source.split())
            pad = " " * (len(lead) - len(lead.lstrip()))
            self.lines.append(pad + "# " + _("changed in program.yaml, which now reads: %(text)s",
                                             text=now if len(now) <= 160 else now[:157] + "..."))
        if "\n" in text:
            self.lines.append(f"{lead} |-  # {word} {tag}")
            body = " " * (len(lead) - len(lead.lstrip()) + 2)
            self.lines += [body + line if line.strip() else "" for line in text.split("\n")]
        else:
            self.lines.append(f"{lead} {_plain(text)}  # {word} {tag}")

    def model(self, model: BaseModel, path: tuple[Key, ...], depth: int) -> int:
        """Write the texts of `model` at `depth`; return how many lines it wrote."""
        start = len(self.lines)
        pad = INDENT * depth
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            kind, inner = field_kind(field)
            if value is None or kind == "other" or (kind in ("texts", "models") and not value):
                continue
            here: tuple[Key, ...] = path + (name,)
            if kind == "text":
                self.scalar(f"{pad}{name}:", here, value)
            elif kind == "texts":
                self.lines.append(f"{pad}{name}:")
                for i, text in enumerate(value):
                    self.scalar(f"{pad}{INDENT}-", here + (i,), text)
            elif kind == "model":
                at = len(self.lines)
                self.lines.append(f"{pad}{name}:")
                if not self.model(value, here, depth + 1):
                    del self.lines[at:]
            else:
                self.lines.append(f"{pad}{name}:")
                keyed = "id" in inner.model_fields
                for i, item in enumerate(value):
                    key: Union[int, ItemId] = ItemId(item.id) if keyed else i
                    if keyed:
                        self.lines.append(f"{pad}{INDENT}- id: {item.id}")
                        self.model(item, here + (key,), depth + 2)
                    else:
                        at = len(self.lines)
                        if self.model(item, here + (key,), depth + 2):
                            first = self.lines[at]
                            self.lines[at] = f"{pad}{INDENT}- {first.lstrip()}"
                        else:
                            self.lines.append(f"{pad}{INDENT}- {{}}")
        return len(self.lines) - start


def translation_yaml(program: Program, language: str, existing: Optional[Translation] = None) -> str:
    """Return the text of program.<language>.yaml: every text of `program`, translated where `existing` has it."""
    words = current()
    source = program.program.languages[0] if program.program.languages else program.program.language
    header = [
        _("%(language)s (%(tag)s) translation of program.yaml, written by `handbook translate %(tag)s`.",
          language=words.language_name(language), tag=language),
        _("Translate each text in place. A text left as it is in program.yaml (%(source)s) is shown in "
          "%(source)s.", source=words.language_name(source)),
        _("\"# source 3fa2c1\" marks the text of program.yaml a translation was made from: when that text "
          "changes, `handbook check` lists the translation as stale and says its new mark."),
        _("A text that stays the same in this language on purpose (a name, a number) says so with \"# same\" "
          "instead of \"# source\"."),
        _("Lists of items with an id are matched by id, other lists item by item. Only texts belong here."),
    ]
    writer = _Writer(existing)
    writer.model(program, (), 0)
    return "".join(f"# {line}\n" for line in header) + "\n" + "\n".join(writer.lines) + "\n"
