"""重复件识别: the earlier petitions a new one may repeat, each with a score and the reason (the shared phrases).

Two steps (docs/architecture.md, “Duplicate suggestion”):

1. **Candidates from the database's own text index**, so that it stays fast with a million stored petitions:
   PostgreSQL's pg_trgm (a GIN index on ``subject || ' ' || content``, migration 0003) or, on SQLite, an FTS5
   table with the trigram tokenizer kept in sync by triggers — looked up by the names of places the new text holds
   (``lookups``). Only the receiving agency's subtree, and only open petitions or those closed within
   ``supervision.duplicate_window_days``; of those candidates, only what the user may see.
2. **Re-scoring in Python** of the best candidates. The plain reference — cosine of character 2–4-gram vectors —
   is fooled by one message copied for another place: the same template about another 小区, road, school or
   company scores as high as a true repeat. So the names of places and organisations are read from both texts
   (a name before a suffix such as 小区/路/学校/公司/村/医院); when each text names a place of one kind that the
   other does not, the score sinks below the merge threshold; long phrases shared word for word (a repost) and a
   shared name raise it.

The merge threshold (``supervision.duplicate_threshold``) is what the pages pre-select; every hit up to
``limit`` is returned, best first, for staff to confirm (a merge is never automatic).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from dangjian.core import rule_settings

from .petition_models import Petition, PetitionStatus

CANDIDATES = 20  # read from the index, then re-scored; a true repeat ranks far above this in the index
REASON_MAX = 200  # Petition.merge_reason

# ---- names of places and organisations --------------------------------------------------------------------

# The kind of place a name's suffix says it is; longer suffixes first, so that 卫生院 wins over 院.
NAME_SUFFIXES = {
    "compound": ["小区", "花园", "家园", "新村", "公寓", "大厦", "广场", "苑", "里弄"],
    "road": ["大道", "大街", "胡同", "路", "街", "巷"],
    "school": ["幼儿园", "小学", "中学", "大学", "学院", "学校"],
    "company": ["有限公司", "公司", "集团", "酒店", "饭店", "超市"],
    "village": ["社区", "村", "镇", "乡"],
    "hospital": ["卫生院", "医院", "诊所"],
    "market": ["农贸市场", "市场", "商场"],
    "factory": ["厂"],
}
_SUFFIX_KIND = {s: kind for kind, suffixes in NAME_SUFFIXES.items() for s in suffixes}
# A suffix followed by these is a common word, not a name (路灯、路面、街道办、村民、村委会、厂家、市场监管…).
_NOT_AFTER = {"路": "灯面段口况线费过边上旁", "街": "道头坊", "村": "民委里干级庄", "镇": "政", "乡": "镇村亲",
              "厂": "家区房商长", "市场": "监化主", "社区": "医卫", "学院": "派", "苑": "", "巷": "子"}
# …or preceded by these (马路、道路、公路、一路、线路、村村、工厂…): no name before the suffix.
_NOT_BEFORE = {"路": "马道公一线电走出思网套铁陆", "街": "上逛沿临", "村": "农乡山", "镇": "城乡", "乡": "城下老家",
               "市场": "菜", "学校": "该本", "公司": "该本", "医院": "该本"}
# Where a name cannot reach: a name never holds these (…的、是、在、我们…), so it starts after the last of them.
_STOP = set("的是在了我们其该于到住系称对从向给去说及与为将把被就都也还又再很让使这那个处里内边旁近靠面带称反映")
_NAME_PATTERN = re.compile("(" + "|".join(sorted(_SUFFIX_KIND, key=len, reverse=True)) + ")")
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
NAME_REACH = 6  # characters before the suffix a name may take (宏达建筑 + 公司, 第三人民 + 医院)


@dataclass(frozen=True)
class Name:
    kind: str
    text: str  # the whole name as written, suffix included
    suffix: str = ""

    def same_as(self, other: Name) -> bool:
        """One name, however much of it each text wrote: 朝阳家园 and 东区朝阳家园 are one, so are 幸福小区 and
        幸福家园小区; 朝阳家园 and 红星家园 are not, nor 阳光小区 and 阳光花园."""
        if self.kind != other.kind:
            return False
        short, long = sorted((self.text, other.text), key=len)
        if long.endswith(short):
            return True
        if self.suffix != other.suffix:
            return False
        short, long = sorted((self.text[:-len(self.suffix)], other.text[:-len(other.suffix)]), key=len)
        return len(short) >= 2 and long.startswith(short)


# Words that stand between a name and what precedes it (…门口梧桐路, 位于幸福小区): a name never holds them.
_STOP_WORDS = re.compile("门口|门前|附近|对面|旁边|周边|一带|靠近|位于|居住在|来电人|市民|反映|举报|投诉|关于|建议")


def extract_names(text: str) -> list[Name]:
    """The names of places and organisations in ``text`` (normalised), in order, each once."""
    text = _STOP_WORDS.sub(lambda m: "|" * len(m.group()), text)
    names: list[Name] = []
    bound = 0  # a name starts after the previous one (绿洲小区梧桐路: 梧桐路)
    for match in _NAME_PATTERN.finditer(text):
        suffix, start, end = match.group(1), match.start(), match.end()
        key = next((k for k in _NOT_AFTER if suffix.endswith(k)), suffix)
        if end < len(text) and text[end] in _NOT_AFTER.get(key, ""):
            continue
        left = start
        while (left > bound and start - left < NAME_REACH and _WORD.match(text[left - 1])
               and text[left - 1] not in _STOP):
            left -= 1
        prefix = text[left:start]
        if not prefix and names and start == bound and start > 0:  # 幸福家园 + 小区: one name, the last suffix's kind
            last = names.pop()
            names.append(Name(_SUFFIX_KIND[suffix], last.text + suffix, suffix))
            bound = end
            continue
        if prefix and prefix[-1] in _NOT_BEFORE.get(key, ""):
            continue
        # two characters at least (or a number: 12路, 3号楼's compound aside) make a name
        if len(prefix) < 2 and not prefix.isdigit():
            continue
        name = Name(_SUFFIX_KIND[suffix], prefix + suffix, suffix)
        bound = end
        if name not in names:
            names.append(name)
    return names


# ---- text and similarity -----------------------------------------------------------------------------------

_PUNCT = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")


# What every petition says whatever its matter (the hotline's record, the closing plea): not evidence of a repeat.
BOILERPLATE = re.compile(
    "市民来电|来电人|来电|反映|称其|要求|希望|请求|恳请|请有关部门|请相关部门|有关部门|相关部门|尽快|早日|处理|解决|"
    "问题|关于|建议|投诉|举报|情况|谢谢|盼复|答复|领导|重视|再次|多次|转发|重复|之前|至今|没有|没人管|怎么回事")


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, punctuation and spaces to one separator."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _PUNCT.sub("|", text).strip("|")


def content_words(norm: str) -> str:
    """The normalised text without the boilerplate every petition shares (a separator in its place)."""
    return re.sub(r"\|+", "|", BOILERPLATE.sub("|", norm)).strip("|")


def _grams(text: str, sizes=(2, 3, 4)) -> frozenset:
    """The character 2–4-grams of the text, within its runs (never across a separator)."""
    grams = set()
    for part in text.split("|"):
        for n in sizes:
            grams.update(part[i:i + n] for i in range(len(part) - n + 1))
    return frozenset(grams)


def _cosine(a: frozenset, b: frozenset) -> float:
    """Cosine of the binary n-gram vectors: in a short message a phrase said twice is not twice the matter, and
    set intersection keeps re-scoring a few dozen candidates within milliseconds."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


PHRASE_MIN = 4  # characters: a shorter run in common is a word, not a phrase


def shared_phrases(a: str, b: str) -> list[str]:
    """The runs of ``a`` (normalised) found word for word in ``b``, at least PHRASE_MIN long, longest first.

    Linear: every PHRASE_MIN-gram of ``a`` found in ``b`` marks its characters; the marked runs are the phrases.
    """
    in_b = {b[i:i + PHRASE_MIN] for i in range(len(b) - PHRASE_MIN + 1)}
    marked = [False] * len(a)
    for i in range(len(a) - PHRASE_MIN + 1):
        gram = a[i:i + PHRASE_MIN]
        if "|" not in gram and gram in in_b:
            for j in range(i, i + PHRASE_MIN):
                marked[j] = True
    phrases, start = [], None
    for i, flag in enumerate([*marked, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            phrases.append(a[start:i])
            start = None
    return sorted(phrases, key=len, reverse=True)


@dataclass
class Scored:
    score: float
    cosine: float
    coverage: float
    names_shared: list[str]
    names_conflicting: list[tuple[str, str]]
    phrases: list[str]


# Each text names a place of one kind the other does not: another place, another matter. With it no score exceeds
# (0.6 + 0.4 + NAME_BONUS) × 0.3 = 0.33, so a merge threshold above that never pre-selects such a pair.
MISMATCH_FACTOR = 0.3
NAME_BONUS = 0.1  # the same named place (a repeat told in other words shares little else)


class Text:
    """A petition's text prepared once for scoring against many others."""

    def __init__(self, subject: str, content: str):
        whole = normalize(f"{subject}。{content}")
        self.names = extract_names(whole)
        self.norm = content_words(whole)
        self.grams = _grams(self.norm)


def score(a: Text, b: Text) -> Scored:
    """How likely ``a`` repeats ``b`` (0..1): n-gram cosine and long shared phrases, with the names checked."""
    cosine = _cosine(a.grams, b.grams)
    phrases = shared_phrases(a.norm, b.norm)
    shorter = min(len(a.norm.replace("|", "")), len(b.norm.replace("|", ""))) or 1
    # Only phrases of 6+ characters count as copied text; shorter ones are the topic's common words.
    coverage = min(1.0, sum(len(p) for p in phrases if len(p) >= 6) / shorter)
    shared = [n for n in a.names if any(n.same_as(m) for m in b.names)]
    # A conflict: each text names a place of one kind that the other does not (梧桐路 here, 锦绣路 there), even
    # when they share another of that kind (the same 20路 bus at another stop). A name only one text has is no
    # conflict: a hotline record often leaves out the road.
    only_a = [n for n in a.names if not any(n.same_as(m) for m in b.names)]
    only_b = [m for m in b.names if not any(m.same_as(n) for n in a.names)]
    conflicts = [(n.text, next(m.text for m in only_b if m.kind == n.kind))
                 for n in only_a if any(m.kind == n.kind for m in only_b)]
    value = 0.6 * cosine + 0.4 * coverage + (NAME_BONUS if shared else 0.0)
    if conflicts:
        value *= MISMATCH_FACTOR
    return Scored(round(min(1.0, value), 4), cosine, coverage, [n.text for n in shared], conflicts, phrases)


def reason(scored: Scored) -> str:
    """Chinese, naming the shared names and phrases (and a conflicting place, when that is why it is low)."""
    items: list[str] = []
    for text in [*scored.names_shared, *scored.phrases]:
        if len(items) >= 4:
            break
        if not any(text in item for item in items):
            items.append(text.replace("|", "，"))
    out = "共同内容：" + "".join(f"“{item[:30]}”" for item in items) if items else "文字相似"
    if scored.names_conflicting:
        mine, theirs = scored.names_conflicting[0]
        out += f"；但地点或单位不同（“{mine}”与“{theirs}”）"
    return out[:REASON_MAX]


# ---- candidates from the database --------------------------------------------------------------------------

def window_days() -> int:
    return int(rule_settings.get("supervision.duplicate_window_days"))


def threshold() -> float:
    return float(rule_settings.get("supervision.duplicate_threshold"))


def lookups(text: Text) -> list[tuple[str, list[str]]]:
    """What to look the candidates up by in the index, best first: (AND|OR, phrases).

    A repeat names the places the first message named, so the names are the key: first the petitions naming
    them all, then those naming any. A text naming no place is looked up by its longest runs of words (a repost
    keeps them). Whole-text similarity over the index (pg_trgm's ``%``) reads every posting list of a hundred
    trigrams: seconds at a million rows, measured; a name's trigrams intersect in a millisecond.
    """
    names = [n.text for n in text.names][:MAX_NAMES]
    if names:
        return ([("AND", names)] if len(names) > 1 else []) + [("OR", names)]
    runs = sorted((part for part in text.norm.split("|") if len(part) >= PHRASE_MIN), key=len, reverse=True)
    phrases = [run[(len(run) - 8) // 2:][:8] if len(run) > 8 else run for run in runs[:3]]
    return [("OR", phrases)] if phrases else []


def candidate_sql(org_path: str, subject: str, content: str, text: Text, *, cutoff: dt.datetime,
                  exclude_pk: int | None, limit: int = CANDIDATES) -> tuple[str, list] | None:
    """One statement giving the ids of the stored petitions most like the text, from the database's text index;
    scope (the agency's subtree) and the window in it. None when the text gives nothing to look up.

    Each lookup (``lookups``: those naming every place, then those naming any) reads at most SCAN_CAP rows (a
    common name, 人民医院, is in thousands); a row found by the first lookup comes first, then the most similar.
    """
    table = Petition._meta.db_table
    # Open (no closed matter, not declined), or closed — the matter's 销号, or 不予受理 — within the window; the
    # matter joined by its key, for the few rows each lookup reads.
    matters = f"LEFT JOIN {Petition._meta.get_field('matter').related_model._meta.db_table} m ON m.id = p.matter_id"
    window = ("(p.received_at >= %s OR m.closed_on >= %s OR (m.closed_on IS NULL AND (p.status <> %s "
              "OR p.updated_at >= %s)))")
    where_params: list = [cutoff, timezone.localtime(cutoff).date(), PetitionStatus.DECLINED, cutoff]
    if exclude_pk:
        window, where_params = window + " AND p.id <> %s", [*where_params, exclude_pk]
    arms, params = [], []
    postgres = connection.vendor == "postgresql"
    for rank, (op, phrases) in enumerate(lookups(text)):
        phrases = [x for x in phrases if len(x) >= 3]  # a trigram index finds nothing shorter
        if not phrases:
            continue
        if postgres:
            match = "(" + f" {op} ".join(f"({TEXT_SQL}) ILIKE %s" for _ in phrases) + ")"
            match_params = [f"%{_like_escape(x)}%" for x in phrases]
            arms.append(f"SELECT * FROM (SELECT p.id, {rank} AS pass, p.subject, p.content FROM {table} p {matters} "
                        f"WHERE {match} AND p.org_path LIKE %s AND {window} LIMIT {SCAN_CAP}) a{rank}")
            params += [*match_params, org_path + "%", *where_params]
        else:
            match = f" {op} ".join('"' + x.replace('"', "") + '"' for x in phrases)
            arms.append(f"SELECT * FROM (SELECT p.id, {rank} AS pass, f.rank AS r FROM {FTS_TABLE} f "
                        f"JOIN {table} p ON p.id = f.rowid {matters} WHERE {FTS_TABLE} MATCH %s AND p.org_path >= %s "
                        f"AND p.org_path < %s AND {window} LIMIT {SCAN_CAP}) a{rank}")
            params += [match, org_path, org_path + "~", *where_params]
    if not arms:
        return None
    union = " UNION ALL ".join(arms)
    if postgres:
        query = f"{subject}。{content}"[:QUERY_CHARS]
        return (f"SELECT id FROM ({union}) p GROUP BY id "
                f"ORDER BY MIN(pass), MAX(similarity({TEXT_SQL}, %s)) DESC, id DESC LIMIT %s", [*params, query, limit])
    return f"SELECT id FROM ({union}) p GROUP BY id ORDER BY MIN(pass), MIN(r), id DESC LIMIT %s", [*params, limit]


def candidate_ids(org_path: str, subject: str, content: str, text: Text, **kwargs) -> list[int]:
    """The candidates' ids alone (the raw index query: the benchmark's floor)."""
    statement = candidate_sql(org_path, subject, content, text, **kwargs)
    if statement is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        return [row[0] for row in cursor.fetchall()]


TEXT_SQL = "p.subject || ' ' || p.content"  # the indexed expression (migration 0003), as written there
QUERY_CHARS = 300  # of the new text, compared by similarity: a petition's matter is in its first lines
MAX_NAMES = 6
SCAN_CAP = 400  # rows read per lookup before ordering by similarity


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


FTS_TABLE = "supervision_petition_fts"


@dataclass
class DuplicateHit:
    petition_id: int
    score: float  # 0..1
    reason: str  # Chinese, names the shared phrases, e.g. "共同内容：“幸福小区”“路灯不亮”"


def _closed_before(petition: Petition, cutoff: dt.datetime) -> bool:
    """Closed (its matter 销号, or 不予受理) before the window began."""
    matter = petition.matter
    if matter is not None and matter.closed_on is not None:
        return matter.closed_on < timezone.localtime(cutoff).date()
    return petition.status == PetitionStatus.DECLINED and petition.updated_at < cutoff


def find_duplicates(org, subject: str, content: str, *, exclude_pk: int | None = None, limit: int = 5,
                    user=None) -> list[DuplicateHit]:
    """Up to ``limit`` earlier petitions of ``org``'s subtree that the text may repeat, best first.

    ``user``: when given, only petitions the user may see. A candidate merged into an original stands for its
    original (a merge names the original: one level), which is returned in its place.
    """
    text = Text(subject, content)
    if not text.norm:
        return []
    cutoff = timezone.now() - dt.timedelta(days=window_days())
    statement = candidate_sql(org.path, subject, content, text, cutoff=cutoff, exclude_pk=exclude_pk)
    if statement is None:
        return []
    # One round trip: the candidates' statement as the sub-select of the rows read (and scoped to the user)
    rows = Petition.objects.filter(pk__in=RawSQL(*statement))
    if user is not None:
        rows = rows.visible_to(user)
    rows = list(rows.select_related("matter", "duplicate_of", "duplicate_of__matter")
                .only("id", "subject", "content", "status", "updated_at", "duplicate_of", "matter__closed_on",
                      "duplicate_of__subject", "duplicate_of__content", "duplicate_of__status",
                      "duplicate_of__updated_at", "duplicate_of__org_path", "duplicate_of__matter__closed_on"))
    visible_originals = None
    if user is not None and any(p.duplicate_of_id for p in rows):
        visible_originals = set(Petition.objects.visible_to(user).filter(
            pk__in=[p.duplicate_of_id for p in rows if p.duplicate_of_id]).values_list("pk", flat=True))
    best: dict[int, DuplicateHit] = {}
    for petition in rows:
        target = petition.duplicate_of or petition
        if target.pk == exclude_pk or _closed_before(target, cutoff):
            continue
        if target is not petition and (not target.org_path.startswith(org.path)
                                       or visible_originals is not None and target.pk not in visible_originals):
            continue
        scored = score(text, Text(petition.subject, petition.content))
        hit = best.get(target.pk)
        if hit is None or scored.score > hit.score:
            best[target.pk] = DuplicateHit(target.pk, scored.score, reason(scored))
    return sorted(best.values(), key=lambda h: (-h.score, -h.petition_id))[:limit]
