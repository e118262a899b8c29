"""A catalog, an order, a staff user and a shopper whose cart is in a session; prints their ids as JSON."""
import json
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.management.base import BaseCommand

from orders.models import Order, OrderItem
from shop.models import Category, Product


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--staff-password", required=True)

    def handle(self, *args, **options):
        tea = Category.objects.create(name="Tea", slug="tea")
        coffee = Category.objects.create(name="Coffee", slug="coffee")
        green = Product.objects.create(category=tea, name="Green tea", slug="green-tea", price=Decimal("8.50"),
                                       image="products/2024/01/02/green.png", description="Sencha")
        black = Product.objects.create(category=tea, name="Black tea", slug="black-tea", price=Decimal("6.00"))
        beans = Product.objects.create(category=coffee, name="Espresso beans", slug="espresso-beans", price=Decimal("12.00"))
        retired = Product.objects.create(category=coffee, name="Retired blend", slug="retired-blend",
                                         price=Decimal("9.00"), available=False)
        order = Order.objects.create(first_name="Ada", last_name="Lovelace", email="ada@example.com",
                                     address="1 Analytical St", postal_code="12345", city="London")
        OrderItem.objects.create(order=order, product=green, price=green.price, quantity=2)
        OrderItem.objects.create(order=order, product=beans, price=beans.price, quantity=1)
        get_user_model().objects.create_superuser("staff", "staff@example.com", options["staff_password"])
        session = SessionStore()
        session[settings.CART_SESSION_ID] = {str(green.id): {"quantity": 2, "price": str(green.price)}}
        session.save()
        print(json.dumps({
            "products": {p.slug: p.id for p in (green, black, beans, retired)},
            "order": order.id,
            "shopper": session.session_key,
        }))
