"""Sets one line of a session's cart, as the Django shop's cart_add with override does."""
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.management.base import BaseCommand

from shop.models import Product


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("session_key")
        parser.add_argument("product_id", type=int)
        parser.add_argument("quantity", type=int)

    def handle(self, *args, **options):
        store = SessionStore(session_key=options["session_key"])
        product = Product.objects.get(id=options["product_id"])
        cart = store.get(settings.CART_SESSION_ID, {})
        cart[str(product.id)] = {"quantity": options["quantity"], "price": str(product.price)}
        store[settings.CART_SESSION_ID] = cart
        store.save()
