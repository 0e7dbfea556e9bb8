"""The exchange API's own rows: the clients another system signs in with.

A client is an OAuth 2.0 application of django-oauth-toolkit (client credentials), bound to
one school, a set of scopes and an account of its own that the journal's services record as
the author of what the client writes (and the access log as the viewer of what it reads).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from school.models import SchoolOwned

# The OneRoster 1.2 scopes (their full URIs, as the standard names them) and ours.
OR_SCOPE = "https://purl.imsglobal.org/spec/or/v1p2/scope/"
ROSTER_READ = OR_SCOPE + "roster.readonly"
ROSTER_CORE_READ = OR_SCOPE + "roster-core.readonly"
GRADEBOOK_READ = OR_SCOPE + "gradebook.readonly"
WRITE = "ednevnik.write"
READ = "ednevnik.read"

SCOPES = {
    ROSTER_READ: _("OneRoster: read the roster (people, classes, enrolments)"),
    ROSTER_CORE_READ: _("OneRoster: read the core roster (no demographics)"),
    GRADEBOOK_READ: _("OneRoster: read the gradebook (work types, assessed lessons, marks)"),
    WRITE: _("Exchange API: write the journal (batches of upserts and deletions)"),
    READ: _("Exchange API: reconciliation reads (counts and checksums)"),
}


class ApiClient(SchoolOwned):
    """An outside system allowed to call the exchange API of one school."""

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        verbose_name=_("OAuth application"),
        on_delete=models.CASCADE,
        related_name="api_client",
    )
    name = models.CharField(_("name"), max_length=100)
    source = models.SlugField(
        _("sending system"),
        max_length=50,
        help_text=_("The id space of the records it sends (its external ids are kept per system)."),
    )
    scopes = models.CharField(_("scopes"), max_length=500)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="api_client",
        help_text=_(
            "Recorded as the author of what the client writes and the viewer of what it reads."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def scope_set(self) -> set[str]:
        return set(self.scopes.split())
