"""A staff member, in a real browser, through the web admin: log in; add a category (the slug
filled in from the name as it is typed) and a product with an image, seen at /media/ and in
the shop; edit a price in the product list and see it in the shop; edit an order's items
inline (a bad row first: nothing changes); delete an order; fail to delete a product an order
still refers to; log out.

Skipped while /admin/login/ answers 404. Logging in and out always run; every other step
runs while its name is in READY below (all are), or with STAFF_STEPS=all in the environment
(`make journeys STAFF_STEPS=all`). A run that left steps out reports the journey skipped,
naming them, so it never counts as passed while a step is missing; a step that runs and fails
fails the journey.

The steps follow the contract (URLs, field and formset names) and otherwise Django's admin,
which the shop's admin mirrors; they were checked against Django 5.2's own admin over the
same tables. deploy/scripts/browser.sh creates the staff user (`shop createsuperuser`, as
`make run` makes its `admin`) and passes its credentials as STAFF_USERNAME and STAFF_PASSWORD."""

import os
import re
from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from journey import http_get, money, psql, write_png


STEPS = ("add a category and a product with an image", "edit a price in the product list",
         "edit an order's items inline", "delete an order", "keep a product an order refers to")
# The steps that run: all of them pass against the shop's admin. Take a step's name out to
# park it while its admin page is being rebuilt; the journey then reports itself skipped.
READY = set(STEPS)
assert READY <= set(STEPS)


def wanted(name):
    return name in READY or os.environ.get("STAFF_STEPS") == "all"


# The admin's pages.

def main_form_buttons(journey):
    """The visible submit buttons of the page's forms, other than the header's log-out."""
    return [button for button in journey.find_all('form [type="submit"]')
            if "logout" not in (button.find_element(By.XPATH, "ancestor::form").get_attribute("action") or "")
            and button.is_displayed()]


def submit(journey):
    buttons = main_form_buttons(journey)
    assert buttons, f"no submit button on {journey.path}"
    journey.click_and_wait(buttons[0])


def save(journey):
    """Clicks the page's Save (Django's `_save` button) and waits for the next page."""
    journey.click_and_wait(journey.find('[name="_save"]'))


def messages(journey):
    """The one-time notices the admin shows after a change (Django: ul.messagelist)."""
    return " ".join(journey.texts(".messagelist li, .messages li"))


def field(journey, name):
    return journey.find(f'[name="{name}"]')


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


# The database.

def product(slug):
    """(id, price, image) of the product with that slug, or None."""
    rows = psql("SELECT id, price, image FROM shop_product WHERE slug = :'slug'", slug=slug)
    return (int(rows[0][0]), Decimal(rows[0][1]), rows[0][2]) if rows else None


def new_order(items):
    """An order a shopper placed earlier, written with psql: items are (product id, price, qty)."""
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
    return sorted((int(p), Decimal(price), int(q)) for p, price, q in psql(
        "SELECT product_id, price, quantity FROM orders_orderitem WHERE order_id = :'id'", id=order_id))


def order_item_id(order_id, product_id):
    return int(psql("SELECT id FROM orders_orderitem WHERE order_id = :'o' AND product_id = :'p'",
                    o=order_id, p=product_id)[0][0])


# The journey.

def test_staff_journey(journey, tmp_path):
    if http_get("/admin/login/")[0] == 404:
        pytest.skip("the web admin does not exist yet (/admin/login/ answers 404)")
    log_in(journey)

    ran, waiting = ["log in"], []

    def step(name, run, *arguments):
        assert name in STEPS
        if wanted(name):
            run(journey, *arguments)
            ran.append(name)
        else:
            waiting.append(name)

    step("add a category and a product with an image", add_category_and_product, tmp_path)
    step("edit a price in the product list", edit_price_in_list)
    earl_grey, matcha, cup = product("earl-grey-supreme"), product("ceremonial-matcha"), product("porcelain-tea-cup")
    order = new_order([(earl_grey[0], earl_grey[1], 2), (matcha[0], matcha[1], 1)])
    step("edit an order's items inline", edit_order_items, order, earl_grey, matcha, cup)
    step("delete an order", delete_order, order)
    step("keep a product an order refers to", refuse_to_delete_ordered_product, cup)

    log_out(journey)
    ran.append("log out")
    if waiting:
        pytest.skip(f"ran: {', '.join(ran)}; not yet READY: {'; '.join(waiting)}")


def log_in(journey):
    # A visitor is sent to the login page, with where they wanted to go in `next`.
    journey.open("/admin/")
    journey.shot("login-page")
    assert journey.path == "/admin/login/"
    assert field(journey, "next").get_attribute("value") == "/admin/"
    field(journey, "username").send_keys(os.environ["STAFF_USERNAME"])
    field(journey, "password").send_keys(os.environ["STAFF_PASSWORD"])
    submit(journey)
    journey.shot("admin-index")
    assert journey.path == "/admin/", "the staff user could not log in"


def log_out(journey):
    journey.click_and_wait(journey.find(
        'form[action="/admin/logout/"] [type="submit"], form[action="/admin/logout/"] button'))
    journey.shot("logged-out")
    journey.open("/admin/")
    assert journey.path == "/admin/login/", "still let in after logging out"


def add_category_and_product(journey, tmp_path):
    # A category; its slug fills itself in from the name as it is typed.
    journey.open("/admin/")
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
    category = psql("SELECT id, name FROM shop_category WHERE slug = 'herbal-tea'")
    assert [name for _, name in category] == ["Herbal Tea"]

    # A product with an image, in that category.
    journey.open("/admin/shop/product/add/")
    set_value(journey.find("#id_category"), category[0][0])
    assert journey.text(".breadcrumbs") == "Home › Shop › Products › Add product"
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
    product_id, price, image_name = product("chamomile-blossom")
    assert price == Decimal("5.25") and image_name

    # nginx serves the upload at /media/, byte for byte, and the shop shows it.
    status, content_type, body = http_get(f"/media/{image_name}")
    assert (status, content_type, body) == (200, "image/png", image.read_bytes())
    journey.open("/herbal-tea/")
    journey.shot("shop-new-category")
    assert journey.texts(".product-list .item .name") == ["Chamomile Blossom"]
    picture = journey.find(f'.item[data-product-id="{product_id}"] img')
    assert picture.get_attribute("src").endswith(f"/media/{image_name}")
    assert journey.broken_images(".product-list img") == []
    assert money(journey.text(f'.item[data-product-id="{product_id}"] .price')) == Decimal("5.25")
    journey.open("/")
    assert "Chamomile Blossom" in journey.texts(".product-list .item .name")


def edit_price_in_list(journey):
    product_id, _, _ = product("rooibos-vanilla")
    journey.open("/admin/shop/product/")
    row = formset_row(journey, "form", product_id)
    set_value(field(journey, f"form-{row}-price"), "6.95")
    journey.shot("product-list-price-typed")
    save(journey)
    journey.shot("product-list-saved")
    assert journey.path == "/admin/shop/product/"
    assert journey.find_all(".errorlist") == []
    assert product("rooibos-vanilla")[1] == Decimal("6.95")
    journey.open(f"/{product_id}/rooibos-vanilla/")
    journey.shot("shop-new-price")
    assert money(journey.text(".product-detail .price")) == Decimal("6.95")


def edit_order_items(journey, order, earl_grey, matcha, cup):
    before = order_items(order)
    journey.open("/admin/orders/order/")
    journey.shot("order-list")
    journey.click_and_wait(journey.find(f'a[href="/admin/orders/order/{order}/change/"]'))
    journey.shot("order-change")
    tea_item, matcha_item = order_item_id(order, earl_grey[0]), order_item_id(order, matcha[0])
    initial = int(field(journey, "items-INITIAL_FORMS").get_attribute("value"))
    assert initial == 2
    # Prices as the database has them, numeric(10,2): "7.90", not "7.9".
    assert field(journey, f"items-{formset_row(journey, 'items', tea_item)}-price").get_attribute("value") == \
        f"{earl_grey[1]:.2f}"

    # A negative quantity: the errors are shown and nothing changes.
    set_value(field(journey, f"items-{formset_row(journey, 'items', tea_item)}-quantity"), "-1")
    journey.find(f'[name="items-{formset_row(journey, "items", matcha_item)}-DELETE"]').click()
    save(journey)
    journey.shot("order-change-invalid")
    assert journey.path == f"/admin/orders/order/{order}/change/"
    assert journey.find_all(".errorlist"), "a negative quantity shows no error"
    assert order_items(order) == before, "an invalid formset changed the order"

    # Fixed: one quantity changed, one row deleted, one added, in one save.
    set_value(field(journey, f"items-{formset_row(journey, 'items', tea_item)}-quantity"), "5")
    delete = journey.find(f'[name="items-{formset_row(journey, "items", matcha_item)}-DELETE"]')
    if not delete.is_selected():
        delete.click()
    if int(field(journey, "items-TOTAL_FORMS").get_attribute("value")) == initial:
        journey.find(".add-row a").click()  # no empty row shown: ask for one, as in Django
    set_value(field(journey, f"items-{initial}-product"), cup[0])
    set_value(field(journey, f"items-{initial}-price"), cup[1])
    set_value(field(journey, f"items-{initial}-quantity"), "3")
    journey.shot("order-change-filled")
    save(journey)
    journey.shot("order-changed")
    assert journey.path == "/admin/orders/order/"
    assert order_items(order) == sorted([(earl_grey[0], earl_grey[1], 5), (cup[0], cup[1], 3)])


def delete_order(journey, order):
    journey.open(f"/admin/orders/order/{order}/change/")
    journey.click_and_wait(journey.find(f'a[href="/admin/orders/order/{order}/delete/"]'))
    journey.shot("order-delete-confirm")
    submit(journey)
    journey.shot("order-deleted")
    assert journey.path == "/admin/orders/order/"
    assert psql("SELECT count(*) FROM orders_order WHERE id = :'id'", id=order) == [["0"]]
    assert order_items(order) == []


def refuse_to_delete_ordered_product(journey, cup):
    kept = new_order([(cup[0], cup[1], 1)])
    journey.open(f"/admin/shop/product/{cup[0]}/delete/")
    if main_form_buttons(journey):  # Django shows no button at all; a confirmation may
        submit(journey)
    journey.shot("product-delete-refused")
    # The page's own content, not the admin's menu (which always says "Orders").
    content = journey.find_all("#content") or journey.find_all("body")
    why = messages(journey) + " " + content[0].text
    assert re.search(r"\border", why, re.IGNORECASE), f"nothing says an order keeps the product: {why!r}"
    assert product("porcelain-tea-cup") is not None
    assert order_items(kept) == [(cup[0], cup[1], 1)]
