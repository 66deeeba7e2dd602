"""What an organisation's report sections share: its analysis, protected facts, tables and findings."""

from __future__ import annotations

from dataclasses import dataclass

from concerns.analytics import ClusterTest, Context, OrganisationAnalysis
from concerns.disclosure import Policy
from concerns.report._build._facts import Facts, Figure
from concerns.report._build._findings import ReportFindings
from concerns.report._model import Table


@dataclass(frozen=True)
class Built:
    """Everything the sections share, computed once."""

    analysis: OrganisationAnalysis
    context: Context
    facts: Facts
    policy: Policy
    name: str
    tables: dict[str, Table]
    trend_shown: bool  # every year's count is shown: a trend cannot give one away
    trend: object  # stats.Trend | stats.NotAvailable
    rate: Figure  # cases per 1,000 practitioners a year over the period, from published counts
    likelihood_figures: dict[str, Figure]
    findings: ReportFindings  # every verdict the report states, as it may state it

    @property
    def shown_clusters(self) -> tuple[ClusterTest, ...]:
        """Flagged staff groups whose practitioners may be counted."""
        return tuple(cluster.test for cluster in self.findings.named_clusters)
