"""A staff member, in a real browser, through the web admin: log in, add a category (the slug
filled in from the name as it is typed), add a product with an image and see it at /media/ and
in the shop, edit a price in the product list and see it in the shop, edit an order's items
inline (a bad row first: nothing changes), delete an order, fail to delete a product an order
still refers to, log out.

Skipped while /admin/login/ answers 404 (the admin is not built yet). The steps follow the
contract (URLs, field and formset names) and otherwise Django's admin, whose pages the shop's
admin mirrors: they were checked against Django 5.2's own admin. Where the shop's admin
chooses differently (a select rather than a raw id field, a message's words), adapt the
helpers below, not the contract.

deploy/scripts/browser.sh creates the staff user (`shop createsuperuser`, as `make run` makes its
`admin`) and passes its credentials as STAFF_USERNAME and STAFF_PASSWORD."""

import os
import re
from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from journey import http_get, money, psql, write_png

# Until the shop's admin has been seen to pass the catalog and order steps, a run only logs in
# and out and then reports the journey as skipped, never as passed unchecked. Try the steps
# with `make journeys STAFF_JOURNEY_CHECKED=1`; once they pass, set this to True.
STEPS_CHECKED_AGAINST_SHOP_ADMIN = False or os.environ.get("STAFF_JOURNEY_CHECKED") == "1"


# Helpers for the admin's pages.

def save(journey):
    """Clicks the page's Save (Django's `_save` button) and waits for the next page."""
    journey.click_and_wait(journey.find('[name="_save"]'))


def submit(journey):
    """The page's main form's submit button (not the header's log-out form)."""
    for button in journey.find_all('form [type="submit"]'):
        form = button.find_element(By.XPATH, "ancestor::form")
        if "logout" not in (form.get_attribute("action") or "") and button.is_displayed():
            journey.click_and_wait(button)
            return
    raise AssertionError(f"no submit button on {journey.path}")


def messages(journey):
    """The one-time notices the admin shows after a change (Django: ul.messagelist)."""
    return " ".join(journey.texts(".messagelist li, .messages li"))


def set_value(element, value):
    """A select is chosen by value, any other field typed into (a raw id field is an input)."""
    if element.tag_name == "select":
        Select(element).select_by_value(str(value))
    else:
        element.clear()
        element.send_keys(str(value))


def formset_row(journey, prefix, object_id):
    """The N of the formset row `prefix-N-id` whose value is object_id."""
    for hidden in journey.find_all(f'input[name^="{prefix}-"][name$="-id"]'):
        if hidden.get_attribute("value") == str(object_id):
            return int(re.match(rf"{prefix}-(\d+)-id", hidden.get_attribute("name")).group(1))
    raise AssertionError(f"no {prefix} row for id {object_id} on {journey.path}")


def field(journey, name):
    return journey.find(f'[name="{name}"]')


def new_order(items):
    """An order placed earlier by a shopper, written with psql: [(product id, price, qty)]."""
    order_id = psql("""
        INSERT INTO orders_order (first_name, last_name, email, address, postal_code, city,
                                  created, updated, paid)
        VALUES ('Ada', 'Lovelace', 'ada@example.com', '1 Analytical Row', 'N1', 'London',
                now(), now(), false) RETURNING id""")[0][0]
    for product_id, price, quantity in items:
        psql("""INSERT INTO orders_orderitem (order_id, product_id, price, quantity)
                VALUES (:'order', :'product', :'price', :'quantity')""",
             order=order_id, product=product_id, price=price, quantity=quantity)
    return int(order_id)


def order_items(order_id):
    return sorted((int(product), Decimal(price), int(quantity)) for product, price, quantity in psql(
        "SELECT product_id, price, quantity FROM orders_orderitem WHERE order_id = :'id'", id=order_id))


def product_by_slug(slug):
    rows = psql("SELECT id, price, image FROM shop_product WHERE slug = :'slug'", slug=slug)
    return (int(rows[0][0]), Decimal(rows[0][1]), rows[0][2]) if rows else None


def test_staff_journey(journey, tmp_path):
    if http_get("/admin/login/")[0] == 404:
        pytest.skip("the web admin does not exist yet (/admin/login/ answers 404)")
    username, password = os.environ["STAFF_USERNAME"], os.environ["STAFF_PASSWORD"]

    # A visitor is sent to the login page, with where they wanted to go in `next`.
    journey.open("/admin/")
    journey.shot("login-page")
    assert journey.path == "/admin/login/"
    assert field(journey, "next").get_attribute("value") == "/admin/"

    # Log in by typing into the real fields.
    field(journey, "username").send_keys(username)
    field(journey, "password").send_keys(password)
    submit(journey)
    journey.shot("admin-index")
    assert journey.path == "/admin/", "the staff user could not log in"

    if STEPS_CHECKED_AGAINST_SHOP_ADMIN:
        catalog_and_orders(journey, tmp_path)

    # Log out: the admin is closed again.
    journey.click_and_wait(journey.find(
        'form[action="/admin/logout/"] [type="submit"], form[action="/admin/logout/"] button'))
    journey.shot("logged-out")
    journey.open("/admin/")
    assert journey.path == "/admin/login/"

    if not STEPS_CHECKED_AGAINST_SHOP_ADMIN:
        pytest.skip("logged in and out; the catalog and order steps wait until they are checked "
                    "against the shop's admin (STAFF_JOURNEY_CHECKED=1 runs them)")


def catalog_and_orders(journey, tmp_path):
    # Add a category; its slug fills itself in from the name as it is typed.
    journey.click_and_wait(journey.link("Categories"))
    assert journey.path == "/admin/shop/category/"
    journey.click_and_wait(journey.find('a[href="/admin/shop/category/add/"]'))
    journey.type_into("id_name", "Herbal Tea")
    assert journey.find("#id_slug").get_attribute("value") == "herbal-tea", "the slug was not filled in"
    journey.shot("category-add")
    save(journey)
    journey.shot("category-added")
    assert journey.path == "/admin/shop/category/"
    assert "Herbal Tea" in messages(journey)
    assert psql("SELECT name FROM shop_category WHERE slug = 'herbal-tea'") == [["Herbal Tea"]]

    # Add a product with an image, in that category.
    journey.open("/admin/shop/product/add/")
    set_value(journey.find("#id_category"), psql("SELECT id FROM shop_category WHERE slug = 'herbal-tea'")[0][0])
    journey.type_into("id_name", "Chamomile Blossom")
    assert journey.find("#id_slug").get_attribute("value") == "chamomile-blossom", "the slug was not filled in"
    image = write_png(tmp_path / "chamomile.png", rgb=(240, 200, 60))
    journey.find("#id_image").send_keys(str(image))
    journey.type_into("id_price", "5.25")
    journey.type_into("id_description", "Whole flowers from Egypt.")
    assert journey.find("#id_available").is_selected(), "a new product starts available"
    journey.shot("product-add")
    save(journey)
    journey.shot("product-added")
    assert journey.path == "/admin/shop/product/"
    assert "Chamomile Blossom" in messages(journey)
    product_id, price, image_name = product_by_slug("chamomile-blossom")
    assert price == Decimal("5.25") and image_name

    # nginx serves the upload at /media/, byte for byte, and the shop shows it.
    status, content_type, body = http_get(f"/media/{image_name}")
    assert (status, content_type, body) == (200, "image/png", image.read_bytes())
    journey.open("/herbal-tea/")
    journey.shot("shop-category-with-product")
    assert journey.texts(".product-list .item .name") == ["Chamomile Blossom"]
    picture = journey.find(f'.item[data-product-id="{product_id}"] img')
    assert picture.get_attribute("src").endswith(f"/media/{image_name}")
    assert journey.driver.execute_script("return arguments[0].naturalWidth", picture) > 0
    journey.open("/")
    assert "Chamomile Blossom" in journey.texts(".product-list .item .name")

    # Edit the price in the product list, then see it in the shop.
    journey.open("/admin/shop/product/")
    row = formset_row(journey, "form", product_id)
    journey.shot("product-list")
    set_value(field(journey, f"form-{row}-price"), "6.10")
    save(journey)
    journey.shot("product-list-saved")
    assert product_by_slug("chamomile-blossom")[1] == Decimal("6.10")
    journey.open(f"/{product_id}/chamomile-blossom/")
    journey.shot("shop-product-new-price")
    assert money(journey.text(".product-detail .price")) == Decimal("6.10")

    # An order's items, edited inline: a bad row first changes nothing.
    earl_grey, earl_grey_price, _ = product_by_slug("earl-grey-supreme")
    matcha, matcha_price, _ = product_by_slug("ceremonial-matcha")
    order = new_order([(earl_grey, earl_grey_price, 2), (matcha, matcha_price, 1)])
    before = order_items(order)
    journey.open("/admin/orders/order/")
    journey.shot("order-list")
    journey.click_and_wait(journey.find(f'a[href="/admin/orders/order/{order}/change/"]'))
    journey.shot("order-change")
    earl_grey_item, matcha_item = (int(psql(
        "SELECT id FROM orders_orderitem WHERE order_id = :'o' AND product_id = :'p'", o=order, p=p)[0][0])
        for p in (earl_grey, matcha))
    initial = int(field(journey, "items-INITIAL_FORMS").get_attribute("value"))
    assert initial == 2
    tea_row, matcha_row = formset_row(journey, "items", earl_grey_item), formset_row(journey, "items", matcha_item)
    set_value(field(journey, f"items-{tea_row}-quantity"), "-1")
    journey.find(f'[name="items-{matcha_row}-DELETE"]').click()
    save(journey)
    journey.shot("order-change-invalid")
    assert journey.path == f"/admin/orders/order/{order}/change/"
    assert journey.find_all(".errorlist"), "a negative quantity shows an error"
    assert order_items(order) == before, "an invalid formset changed the order"

    # Fixed: a new quantity, one row deleted, one added, all in one save.
    tea_row, matcha_row = formset_row(journey, "items", earl_grey_item), formset_row(journey, "items", matcha_item)
    set_value(field(journey, f"items-{tea_row}-quantity"), "5")
    delete = journey.find(f'[name="items-{matcha_row}-DELETE"]')
    if not delete.is_selected():
        delete.click()
    total = int(field(journey, "items-TOTAL_FORMS").get_attribute("value"))
    if total == initial:  # no empty row shown: ask for one (Django: "Add another Order item")
        journey.find(".add-row a").click()
    set_value(field(journey, f"items-{initial}-product"), product_id)
    set_value(field(journey, f"items-{initial}-price"), "6.10")
    set_value(field(journey, f"items-{initial}-quantity"), "3")
    journey.shot("order-change-filled")
    save(journey)
    journey.shot("order-changed")
    assert journey.path == "/admin/orders/order/"
    assert order_items(order) == sorted([(earl_grey, earl_grey_price, 5), (product_id, Decimal("6.10"), 3)])

    # Delete the order: its items go with it.
    journey.open(f"/admin/orders/order/{order}/change/")
    journey.click_and_wait(journey.find(f'a[href="/admin/orders/order/{order}/delete/"]'))
    journey.shot("order-delete-confirm")
    submit(journey)
    journey.shot("order-deleted")
    assert journey.path == "/admin/orders/order/"
    assert psql("SELECT count(*) FROM orders_order WHERE id = :'id'", id=order) == [["0"]]
    assert order_items(order) == []

    # A product an order still refers to is not deleted, and the page says why.
    kept = new_order([(product_id, Decimal("6.10"), 1)])
    journey.open(f"/admin/shop/product/{product_id}/delete/")
    if [b for b in journey.find_all('form [type="submit"]') if "logout" not in
            (b.find_element(By.XPATH, "ancestor::form").get_attribute("action") or "")]:
        submit(journey)
    journey.shot("product-delete-refused")
    # The page's own content, not the admin's menu (which always says "Orders").
    content = journey.find_all("#content") or journey.find_all("body")
    why = messages(journey) + " " + content[0].text
    assert re.search(r"\border", why, re.IGNORECASE), f"no message says an order keeps the product: {why!r}"
    assert product_by_slug("chamomile-blossom") is not None
    assert order_items(kept) == [(product_id, Decimal("6.10"), 1)]
    journey.open("/admin/")
