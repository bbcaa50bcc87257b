"""The benchmark and load tooling, outside the product: `make bench` (run.py), and a Django
app (installed by bench/settings.py only) with the bench_* commands, make_load_data and
explain_hot_queries. Run them with DJANGO_SETTINGS_MODULE=bench.settings."""
