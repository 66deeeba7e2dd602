"""Organisations' nations stored as the vocabulary's codes ("northern_ireland"), shown by its labels."""

from django.db import migrations, models

from concerns import vocabulary as v


def to_codes(apps, schema_editor):
    Organisation = apps.get_model("portal", "Organisation")
    for organisation in Organisation.objects.exclude(nation=""):
        code = v.NATIONS.resolve(organisation.nation)
        if code and code != organisation.nation:
            Organisation.objects.filter(pk=organisation.pk).update(nation=code)


def to_labels(apps, schema_editor):
    Organisation = apps.get_model("portal", "Organisation")
    for nation in v.NATIONS:
        Organisation.objects.filter(nation=nation.code).update(nation=nation.label)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_batch_years_and_task"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organisation",
            name="nation",
            field=models.CharField(
                blank=True,
                choices=[
                    ("england", "England"),
                    ("wales", "Wales"),
                    ("northern_ireland", "Northern Ireland"),
                ],
                max_length=40,
            ),
        ),
        migrations.RunPython(to_codes, to_labels),
    ]
