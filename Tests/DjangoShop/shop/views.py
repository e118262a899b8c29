from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.html import format_html, format_html_join

from .models import Product


def product_list(request):
    products = Product.objects.filter(available=True)
    items = format_html_join("", "<li>{} ${}</li>", ((p.name, p.price) for p in products))
    return HttpResponse(format_html('<ul id="django-products">{}</ul>', items))


def product_detail(request, id, slug):
    product = get_object_or_404(Product, id=id, slug=slug, available=True)
    return HttpResponse(format_html("<h1>{}</h1>", product.name))
