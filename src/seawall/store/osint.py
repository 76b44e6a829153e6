"""Recording articles and events; events are de-duplicated across articles as they arrive."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import msgspec
from sqlalchemy import select

from seawall.osint.articles import Article
from seawall.osint.events_model import Event
from seawall.osint.merge import merge_reports
from seawall.store.database import Database
from seawall.store.models import OsintArticleRecord, OsintEventRecord
from seawall.store.repository import _insert_for


class OsintRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    def add(self, article: Article, events: Sequence[Event]) -> list[tuple[Event, bool]]:
        """Store an article and its events; each event merges into a stored one when they
        describe the same operation. Returns (stored event, merged?) pairs."""
        now = datetime.now(UTC)
        stored = self.events()
        results: list[tuple[Event, bool]] = []
        changed: dict[str, Event] = {}
        for event in events:
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
                    "attackers": ",".join(event.attacker_countries or event.attacker_groups or event.malware)[
                        :200
                    ],
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
