"""The database itself refuses to change or remove audit rows, whatever code runs against it."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER portal_auditevent_no_update BEFORE UPDATE ON portal_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    "CREATE TRIGGER portal_auditevent_no_delete BEFORE DELETE ON portal_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
]
POSTGRES = [
    "CREATE FUNCTION portal_auditevent_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;",
    "CREATE TRIGGER portal_auditevent_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON portal_auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION portal_auditevent_refuse();",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS portal_auditevent_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS portal_auditevent_no_delete")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS portal_auditevent_append_only ON portal_auditevent")
        schema_editor.execute("DROP FUNCTION IF EXISTS portal_auditevent_refuse()")


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
