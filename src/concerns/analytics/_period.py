"""The period a report covers: whole NHS financial years."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from concerns import vocabulary as v


@dataclass(frozen=True)
class Period:
    fiscal_years: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.fiscal_years:
            raise ValueError("a period needs at least one financial year")
        starts = [v.parse_fiscal_year(year) for year in self.fiscal_years]
        if starts != list(range(starts[0], starts[0] + len(starts))):
            raise ValueError(f"financial years must be consecutive: {', '.join(self.fiscal_years)}")

    @classmethod
    def before(cls, as_of: dt.date, years: int = 5) -> Period:
        """The `years` complete financial years before `as_of`."""
        return cls(tuple(v.fiscal_years_before(as_of, years)))

    @classmethod
    def named(cls, first: str, last: str) -> Period:
        """From financial year `first` to `last` inclusive, e.g. ("2019/20", "2023/24")."""
        start, end = v.parse_fiscal_year(first), v.parse_fiscal_year(last)
        if end < start:
            raise ValueError(f"the period ends ({last}) before it starts ({first})")
        return cls(tuple(f"{y}/{(y + 1) % 100:02d}" for y in range(start, end + 1)))

    @property
    def first(self) -> str:
        return self.fiscal_years[0]

    @property
    def last(self) -> str:
        return self.fiscal_years[-1]

    @property
    def starts_on(self) -> dt.date:
        return v.fiscal_year_start(self.first)

    @property
    def ends_on(self) -> dt.date:
        return v.fiscal_year_end(self.last)

    def __len__(self) -> int:
        return len(self.fiscal_years)

    def label(self) -> str:
        return f"{self.first} to {self.last}"

    def select(self, frame: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
        """The rows of a frame with a `fiscal_year` column that fall in the period."""
        return frame.lazy().filter(pl.col("fiscal_year").is_in(list(self.fiscal_years)))
