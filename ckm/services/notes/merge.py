"""Line-based three-way merge (diff3) and plain change lists for the conflict view.

Two people edited the same base text. Lines that only one of them changed take that change;
lines both changed the same way take it once; lines both changed differently keep BOTH
versions one after the other, between plain-language marker lines chosen by the caller, so
nothing either person wrote is lost and the merge never silently picks a winner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

ChunkKind = Literal["same", "theirs", "mine", "both", "conflict"]
ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class MergeChunk:
    """One stretch of the merge: `lines` to keep, or (conflict) their lines and mine."""

    kind: ChunkKind
    lines: tuple[str, ...] = ()
    theirs: tuple[str, ...] = ()
    mine: tuple[str, ...] = ()


@dataclass(frozen=True)
class MergeMarkers:
    """The marker lines put around overlapping edits (in the reader's language)."""

    theirs: str
    mine: str
    end: str


@dataclass(frozen=True)
class Change:
    """One change between two texts, in lines: what was there before and what is there now."""

    kind: ChangeKind
    before: tuple[str, ...]
    after: tuple[str, ...]


def _matches(base: Sequence[str], other: Sequence[str]) -> dict[int, int]:
    """Base line index -> index of the same, unchanged line in `other`."""
    matcher = SequenceMatcher(a=base, b=other, autojunk=False)
    found: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            found[block.a + offset] = block.b + offset
    return found


def _resolve(base: list[str], theirs: list[str], mine: list[str]) -> MergeChunk:
    if theirs == mine:
        return MergeChunk("both", tuple(mine))
    if theirs == base:
        return MergeChunk("mine", tuple(mine))
    if mine == base:
        return MergeChunk("theirs", tuple(theirs))
    return MergeChunk("conflict", theirs=tuple(theirs), mine=tuple(mine))


def merge_chunks(base: str, theirs: str, mine: str) -> list[MergeChunk]:
    """diff3 of three texts by lines: stable stretches and the changes between them."""
    base_lines, their_lines, my_lines = base.splitlines(), theirs.splitlines(), mine.splitlines()
    their_match, my_match = _matches(base_lines, their_lines), _matches(base_lines, my_lines)
    chunks: list[MergeChunk] = []
    same: list[str] = []
    i = a = b = 0
    while i < len(base_lines) or a < len(their_lines) or b < len(my_lines):
        if i < len(base_lines) and their_match.get(i) == a and my_match.get(i) == b:
            same.append(base_lines[i])
            i, a, b = i + 1, a + 1, b + 1
            continue
        # The next base line both sides still have, after what each has consumed.
        sync = next(
            (
                j
                for j in range(i, len(base_lines))
                if their_match.get(j, -1) >= a and my_match.get(j, -1) >= b
            ),
            None,
        )
        if sync is None:
            end_i, end_a, end_b = len(base_lines), len(their_lines), len(my_lines)
        else:
            end_i, end_a, end_b = sync, their_match[sync], my_match[sync]
        if same:
            chunks.append(MergeChunk("same", tuple(same)))
            same = []
        chunks.append(_resolve(base_lines[i:end_i], their_lines[a:end_a], my_lines[b:end_b]))
        i, a, b = end_i, end_a, end_b
    if same:
        chunks.append(MergeChunk("same", tuple(same)))
    return chunks


def merged_text(chunks: Sequence[MergeChunk], markers: MergeMarkers) -> str:
    """The merge as one text; overlapping edits keep both versions between marker lines."""
    lines: list[str] = []
    for chunk in chunks:
        if chunk.kind == "conflict":
            lines += [markers.theirs, *chunk.theirs, markers.mine, *chunk.mine, markers.end]
        else:
            lines += chunk.lines
    return "\n".join(lines)


def merge_texts(base: str, theirs: str, mine: str, markers: MergeMarkers) -> tuple[str, int]:
    """The three-way merge of `theirs` and `mine` from `base`, and how many overlaps it has."""
    chunks = merge_chunks(base, theirs, mine)
    return merged_text(chunks, markers), sum(chunk.kind == "conflict" for chunk in chunks)


def changes(before: str, after: str) -> list[Change]:
    """What changed from `before` to `after`, line by line, for a plain-words list."""
    old, new = before.splitlines(), after.splitlines()
    result: list[Change] = []
    matcher = SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "insert":
            result.append(Change("added", (), tuple(new[j1:j2])))
        elif tag == "delete":
            result.append(Change("removed", tuple(old[i1:i2]), ()))
        elif tag == "replace":
            result.append(Change("changed", tuple(old[i1:i2]), tuple(new[j1:j2])))
    return result
