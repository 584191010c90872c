"""Registers the services allowed to use the test CAS server: any http://127.0.0.1:PORT/
address (the tests run Liaison on random ports), releasing every attribute."""
import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
django.setup()

from cas_server.models import ReplaceAttributName, ServicePattern  # noqa: E402

pattern, _ = ServicePattern.objects.get_or_create(
    name="liaison-tests",
    defaults={"pattern": r"^http://(127\.0\.0\.1|localhost):[0-9]+/.*$", "pos": 100},
)
ReplaceAttributName.objects.get_or_create(name="*", service_pattern=pattern)
print("cas services: ok")
