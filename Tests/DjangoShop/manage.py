#!/usr/bin/env python
"""The classic Django shop ("Django 5 By Example", myshop), reduced to what the
Swift shop's tests need: its models, migrations, a catalog page, the session
cart and the admin. DJANGO_DATABASE_URL and SECRET_KEY come from the environment."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myshop.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
