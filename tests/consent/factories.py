import factory

from consent.models import ContactKind, ContactPoint, ContactSource


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPoint

    school = factory.SelfAttribute("guardian.school")
    kind = ContactKind.PHONE
    value = "+79001234567"
    source = ContactSource.APPLICATION
    recorded_by = factory.SelfAttribute("guardian.user")
