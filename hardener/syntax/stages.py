"""Stage semantics: which instructions form which stage, its base, its ARGs, and what ships.

BuildKit resolves a FROM's image with the ARGs declared before the first FROM
(the global scope); an image naming an earlier stage's alias builds on that
stage. The final stage ships, and so does every stage it is built FROM.
"""

from __future__ import annotations

from ..model import ImageRef, Instruction, Stage
from .expand import expand, expand_word, parse_arg_pairs
from .imageref import parse_image_ref


def build_stages(instructions: list[Instruction], escape: str = "\\"):
    """(stages, global_args) of the instructions."""
    global_scope: dict[str, str | None] = {}
    drafts = []  # (index, alias, from_ins, base, platform, parent, scope)
    aliases: dict[str, int] = {}  # lower-cased alias -> the latest stage with it
    scope: dict[str, str | None] = {}
    for ins in instructions:
        if ins.name == "FROM":
            words = ins.words
            image = words[0] if words else ""
            alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            parent = _find_alias(aliases, expand_word(image, global_scope, escape)[0])
            platform_flag = ins.flag("platform")
            platform = expand(platform_flag.value or "", global_scope)[0] if platform_flag else None
            if parent is not None:
                base = ImageRef(written=image, value=image, repository=image)
                scope = dict(drafts[parent][6])
            else:
                base = parse_image_ref(image, global_scope, escape)
                scope = {}
            if alias:
                aliases[alias.lower()] = len(drafts)
            drafts.append([len(drafts), alias, ins, base, platform, parent, scope])
            continue
        if ins.name == "ARG":
            for name, value in parse_arg_pairs(ins.args):
                target = scope if drafts else global_scope
                if value is not None:
                    value = expand(value, {**global_scope, **scope} if drafts else global_scope)[0]
                elif drafts:
                    value = global_scope.get(name)
                target[name] = value
    shipping = set()
    if drafts:
        cursor: int | None = len(drafts) - 1
        while cursor is not None and cursor not in shipping:
            shipping.add(cursor)
            cursor = drafts[cursor][5]
    own: list[list[Instruction]] = [[] for _ in drafts]
    for ins in instructions:
        if ins.stage is not None:
            own[ins.stage].append(ins)
    stages = tuple(
        Stage(
            index=index,
            alias=alias,
            from_=ins,
            base=base,
            platform=platform,
            parent=parent,
            instructions=tuple(own[index]),
            ships=index in shipping,
            args=tuple(scope.items()),
        )
        for index, alias, ins, base, platform, parent, scope in drafts
    )
    return stages, tuple(global_scope.items())


def _find_alias(aliases: dict[str, int], name: str | None) -> int | None:
    return aliases.get(name.lower()) if name else None
