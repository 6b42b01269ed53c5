"""Whether the clause around a name says the video did NOT go there. Pure: no I/O.

A food vlog names more places than it visits: the one it skipped ('○○ 말고
□□로 왔어요'), could not get into ('○○에 못 들렀어요', '○○는 웨이팅이 길어서
포기했어요'), meant to go to ('원래 ○○ 가려고 했는데'), leaves for another
day ('○○는 다음에 가보려구요'; but '○○ 다음에 가는 곳' is the place after
○○). A double negative or a condition is no negation ('○○는 안 가볼 수가
없죠', '○○ 안 가면 후회해요'). Plans for now ('○○에 갈 거예요') and hearsay
('○○에서 유명하다고 해서 시켜봤어요') are said at the place as often as
not: they are visits. So is a name the text says is here ('여기가 ○○',
'○○인데요') or where something was done ('○○에서 다이어트 포기했어요'),
whatever follows.

The clause is the text from the last sentence end before the name to the
next one after it (captions and description lines are mostly one sentence
each), cut where a clause joins the next ('…먹었는데', '…갔다가'). Only
what follows the name in its clause is read for negation and plans, and
only the words right after the name for '말고' ('instead of'): '□□ 말고
○○에 왔어요' is a visit to ○○."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?。…\n]|[요다]\s*[.!?~]*\s+(?=\S)")
# Where a clause joins the next: '○○에서 먹었는데 □□는 못 갔어요' says two things.
_JOIN = re.compile(r"(?:는데|은데|인데|지만|다가|는데요)[,\s]")
_HERE = re.compile(r"(?:여기가|여기는|이곳은|이\s?집은?)\s*$")
_COPULA = re.compile(r"^\s?(?:이에요|예요|에요|인데|입니다|이고|이라는|라는|이죠|죠)")
# '○○에서 …': whatever follows was done there ('○○에서 다이어트 포기했어요').
_AT = re.compile(r"^\s?에서(?!\s?말고)")
# Right after the name (a topic/object particle may come between): not this one.
_INSTEAD = re.compile(r"^\s?(?:은|는|이|가|을|를|에서|에)?\s?(?:말고|대신|빼고|제외)")
# The rest of the clause: could not or did not go, will go another day, was told.
_NOT_GONE = re.compile(
    r"(?:^|\s)(?:못|안)\s?(?:가|갔|갈|들르|들렀|들렸|들어가|왔|와|먹었|먹고)"
    r"(?![가-힣]*\s?(?:수\s?(?:가|는|도)?\s?없|면\b|면서|고는|곤))"
    r"|포기했|포기하고|허탕|가려고\s?했|가려다"
    r"|(?<=\s)다음(?:에|\s?번에)\s?(?:꼭\s?)?(?:가|와|오|올|들르|들러|먹)"
)


def clause_around(text: str, start: int, end: int) -> tuple[str, str]:
    """The clause's text before ``start`` and after ``end``."""
    before, after = text[:start], text[end:]
    cuts = [m.end() for m in _SENTENCE_END.finditer(before)]
    if cuts:
        before = before[cuts[-1] :]
    stops = [m.end() for m in (_SENTENCE_END.search(after), _JOIN.search(after)) if m]
    if stops:
        after = after[: min(stops)]
    return before, after


def not_visited(text: str, start: int, end: int) -> bool:
    """The clause around ``text[start:end]`` says the place was not visited:
    passed over for another, not got into, left for another day, or hearsay;
    never where the text says it is here ('여기가 ○○인데 … 유명하대요')."""
    before, after = clause_around(text, start, end)
    if _HERE.search(before) or _COPULA.match(after) or _AT.match(after):
        return False
    return bool(_INSTEAD.match(after) or _NOT_GONE.search(after))
