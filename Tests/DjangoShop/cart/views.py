from django.http import HttpResponse
from django.utils.html import format_html_join

from .cart import Cart


def cart_detail(request):
    cart = Cart(request)
    lines = format_html_join(
        "", '<li data-product-id="{}" data-quantity="{}">{}</li>',
        ((item["product"].id, item["quantity"], item["product"].name) for item in cart if "product" in item),
    )
    return HttpResponse(f"<ul id=\"django-cart\">{lines}</ul>")
