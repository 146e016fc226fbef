"""The one migration history builds the schema the models declare."""
from flask_migrate import check


def test_migrations_build_exactly_the_models_schema(app):
    """``flask db check`` on a database built by ``upgrade``: no table, column or index
    (partial ones included) differs between the models and the migrations."""
    check()
