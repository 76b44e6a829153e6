"""Recording articles and events; events are de-duplicated across articles as they arrive."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import msgspec
from sqlalchemy import or_, select

from seawall.osint.articles import Article
from seawall.osint.events_model import Event
from seawall.osint.merge import merge_reports
from seawall.store.database import Database
from seawall.store.models import OsintArticleRecord, OsintEventRecord
from seawall.store.repository import _insert_for


def attackers_key(event: Event) -> str:
    """The indexed column events are matched on: the attacker states, else the groups."""
    return ",".join(sorted(event.attacker_countries) or sorted(event.attacker_groups))[:200]


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
        for event in events:
            # Only an event with the same attackers (or the same id) can be the same operation
            # (merge.same_operation_across): read those, not every stored event.
            stored.extend(e for e in self._candidates(event) if e.id not in {s.id for s in stored})
            target = next((e for e in stored if merge_reports(e, event)), None)
            if target is None:
                stored.append(event)
                changed[event.id] = event
                results.append((event, False))
            else:
                changed[target.id] = target
                results.append((target, True))
        with self.database.engine.begin() as connection:
            insert = _insert_for(connection.dialect.name)
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
            connection.execute(
                insert(OsintArticleRecord.__table__).on_conflict_do_nothing(index_elements=["id"]), [row]
            )
            for event in changed.values():
                values = {
                    "id": event.id,
                    "attackers": attackers_key(event),
                    "victims": ",".join(event.victim_countries)[:200],
                    "date_start": event.date.start if event.date else "",
                    "date_end": event.date.end if event.date else "",
                    "data": msgspec.to_builtins(event),
                    "updated_at": now,
                }
                statement = insert(OsintEventRecord.__table__).values(**values)
                connection.execute(
                    statement.on_conflict_do_update(
                        index_elements=["id"], set_={k: v for k, v in values.items() if k != "id"}
                    )
                )
        return results

    def _candidates(self, event: Event) -> list[Event]:
        key = attackers_key(event)
        with self.database.session() as session:
            condition = OsintEventRecord.id == event.id
            if key:
                condition = or_(condition, OsintEventRecord.attackers == key)
            rows = session.scalars(select(OsintEventRecord).where(condition))
            return [msgspec.convert(r.data, Event) for r in rows]

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
