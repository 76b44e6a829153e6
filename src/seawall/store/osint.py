"""Recording articles and events; events are de-duplicated across articles as they arrive."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

import msgspec
from sqlalchemy import Connection, bindparam, or_, select

from seawall.osint.articles import Article
from seawall.osint.events_model import Event
from seawall.osint.merge import merge_reports
from seawall.store.database import Database
from seawall.store.models import OsintArticleRecord, OsintEventRecord
from seawall.store.repository import _insert_for


def attackers_key(event: Event) -> str:
    """The indexed column events are matched on: the attacker states, else the groups."""
    return ",".join(sorted(event.attacker_countries) or sorted(event.attacker_groups))[:200]


# Statements built once: ingest records an article per transaction, and building them (the
# upsert's ``excluded`` alias, the ORM's select) cost as much as running them.
_EVENT_BY_ID = select(OsintEventRecord.data).where(OsintEventRecord.id == bindparam("id"))
_EVENT_BY_ID_OR_ATTACKERS = select(OsintEventRecord.data).where(
    or_(OsintEventRecord.id == bindparam("id"), OsintEventRecord.attackers == bindparam("attackers"))
)
_EVENT_COLUMNS = ("id", "attackers", "victims", "date_start", "date_end", "data", "updated_at")


@cache
def _article_insert(dialect: str) -> Any:
    return _insert_for(dialect)(OsintArticleRecord.__table__).on_conflict_do_nothing(index_elements=["id"])


@cache
def _event_upsert(dialect: str) -> Any:
    statement = _insert_for(dialect)(OsintEventRecord.__table__)
    return statement.on_conflict_do_update(
        index_elements=["id"],
        set_={name: statement.excluded[name] for name in _EVENT_COLUMNS if name != "id"},
    )


class OsintRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    def add(self, article: Article, events: Sequence[Event]) -> list[tuple[Event, bool]]:
        """Store an article and its events; each event merges into a stored one when they
        describe the same operation. Returns (stored event, merged?) pairs."""
        now = datetime.now(UTC)
        results: list[tuple[Event, bool]] = []
        changed: dict[str, Event] = {}
        stored: list[Event] = []
        with self.database.engine.connect() as connection:
            for event in events:
                # Only an event with the same attackers (or the same id) can be the same
                # operation (merge.same_operation_across): read those, not every stored event.
                known = {s.id for s in stored}
                stored.extend(e for e in self._candidates(connection, event) if e.id not in known)
                target = next((e for e in stored if merge_reports(e, event)), None)
                if target is None:
                    stored.append(event)
                    changed[event.id] = event
                    results.append((event, False))
                else:
                    changed[target.id] = target
                    results.append((target, True))
        with self.database.engine.begin() as connection:
            dialect = connection.dialect.name
            row = {
                "id": article.id,
                "title": article.title[:2000],
                "published": article.published[:10],
                "outlet": article.outlet[:200],
                "url": article.url,
                "path": article.path,
                "text": article.text,
                "ingested_at": now,
            }
            connection.execute(_article_insert(dialect), [row])
            if changed:
                connection.execute(
                    _event_upsert(dialect),
                    [
                        {
                            "id": event.id,
                            "attackers": attackers_key(event),
                            "victims": ",".join(event.victim_countries)[:200],
                            "date_start": event.date.start if event.date else "",
                            "date_end": event.date.end if event.date else "",
                            "data": msgspec.to_builtins(event),
                            "updated_at": now,
                        }
                        for event in changed.values()
                    ],
                )
        return results

    @staticmethod
    def _candidates(connection: Connection, event: Event) -> list[Event]:
        key = attackers_key(event)
        if key:
            rows = connection.execute(_EVENT_BY_ID_OR_ATTACKERS, {"id": event.id, "attackers": key})
        else:
            rows = connection.execute(_EVENT_BY_ID, {"id": event.id})
        return [msgspec.convert(data, Event) for (data,) in rows]

    def events(self) -> list[Event]:
        with self.database.session() as session:
            rows = session.scalars(
                select(OsintEventRecord).order_by(OsintEventRecord.date_start, OsintEventRecord.id)
            )
            return [msgspec.convert(r.data, Event) for r in rows]

    def articles(self) -> list[Article]:
        with self.database.session() as session:
            return [
                Article(
                    id=r.id,
                    title=r.title,
                    published=r.published,
                    outlet=r.outlet,
                    url=r.url,
                    text=r.text,
                    path=r.path,
                )
                for r in session.scalars(select(OsintArticleRecord).order_by(OsintArticleRecord.published))
            ]
