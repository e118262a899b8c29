"""A shopper, in a real browser, from the front page to the order confirmation: browse a
category, open products, add them with the quantity select, change a quantity and remove a
line in the cart, get the checkout form wrong once, then right, and read the order number.
Every step asserts what the shopper sees; the end checks in PostgreSQL what the shop stored."""

from decimal import Decimal

from journey import money, psql, shown_price

EMPTY_CART = "Your cart is empty."


def catalog(category_slug=None):
    """The available products by name, as the database has them: {name: (id, price)}."""
    rows = psql("""
        SELECT p.id, p.name, p.price FROM shop_product p JOIN shop_category c ON c.id = p.category_id
        WHERE p.available AND (c.slug = :'slug' OR :'slug' = '') ORDER BY p.name
        """, slug=category_slug or "")
    return {name: (int(id), Decimal(price)) for id, name, price in rows}


def order_count():
    return int(psql("SELECT count(*) FROM orders_order")[0][0])


def cart_lines(journey):
    """{product id: (quantity, unit price, line total)} as the cart page shows them."""
    lines = {}
    for row in journey.find_all("tr[data-product-id]"):
        lines[int(row.get_attribute("data-product-id"))] = (
            int(row.get_attribute("data-quantity")),
            money(journey.text(".unit-price", row)),
            money(journey.text(".line-total", row)),
        )
    return lines


def cart_row(journey, product_id):
    return journey.find(f'tr[data-product-id="{product_id}"]')


def add_to_cart(journey, quantity, step):
    """On a product page: choose the quantity, click Add to cart, land on the cart."""
    journey.choose(journey.find("form.add-to-cart select[name=quantity]"), quantity)
    journey.shot(f"{step}-quantity-{quantity}")
    journey.click_and_wait(journey.button("Add to cart"))
    assert journey.path == "/cart/"
    assert journey.text("h1") == "Your shopping cart"


def assert_cart_summary(journey, count, total):
    summary = journey.text("#cart-summary")
    assert f"{count} item{'' if count == 1 else 's'}" in summary, summary
    assert any(price in summary for price in shown_price(total)), summary


def test_shopper_journey(journey):
    everything = catalog()
    orders_before = order_count()  # the staff journey shares the database
    tea = catalog("tea")
    coffee = catalog("coffee")

    # The front page: every available product by name, the categories, an empty cart.
    journey.open("/")
    journey.shot("home")
    assert journey.text("h1") == "Products"
    assert journey.styled(), "the stylesheet from /static/ does not apply"
    assert journey.texts(".product-list .item .name") == list(everything)
    assert journey.broken_images(".product-list img") == []
    assert journey.text("#cart-summary") == EMPTY_CART
    categories = journey.texts("#sidebar li a")
    assert categories[0] == "All" and {"Tea", "Coffee", "Teapots & Cups"} <= set(categories)

    # A category: only its products, the category marked in the sidebar.
    journey.click_and_wait(journey.link("Tea", journey.find("#sidebar")))
    journey.shot("category-tea")
    assert journey.path == "/tea/"
    assert journey.text("h1") == "Tea"
    assert journey.text("#sidebar li.selected") == "Tea"
    assert journey.texts(".product-list .item .name") == list(tea)

    # A product: its name, price and image, and the add-to-cart form.
    earl_grey, earl_grey_price = tea["Earl Grey Supreme"]
    journey.click_and_wait(journey.link("Earl Grey Supreme"))
    journey.shot("product-earl-grey")
    assert journey.path == f"/{earl_grey}/earl-grey-supreme/"
    assert journey.text("h1") == "Earl Grey Supreme"
    assert money(journey.text(".product-detail .price")) == earl_grey_price
    assert journey.broken_images(".product-detail img") == []

    add_to_cart(journey, 3, "earl-grey")
    journey.shot("cart-earl-grey")
    assert cart_lines(journey) == {earl_grey: (3, earl_grey_price, 3 * earl_grey_price)}
    assert money(journey.text("#cart-total")) == 3 * earl_grey_price
    assert_cart_summary(journey, 3, 3 * earl_grey_price)

    # Back to the shop for a coffee, by the category again.
    journey.click_and_wait(journey.link("Continue shopping"))
    journey.click_and_wait(journey.link("Coffee", journey.find("#sidebar")))
    assert journey.texts(".product-list .item .name") == list(coffee)
    espresso, espresso_price = coffee["Espresso Blend No. 3"]
    journey.click_and_wait(journey.link("Espresso Blend No. 3"))
    journey.shot("product-espresso")
    add_to_cart(journey, 1, "espresso")

    # And the grinder from the front page: a price above a thousand.
    grinder, grinder_price = everything["Hand Coffee Grinder"]
    journey.click_and_wait(journey.link("My shop"))
    journey.click_and_wait(journey.link("Hand Coffee Grinder"))
    assert money(journey.text(".product-detail .price")) == grinder_price == Decimal("1299.00")
    add_to_cart(journey, 2, "grinder")
    journey.shot("cart-three-lines")
    assert cart_lines(journey) == {
        earl_grey: (3, earl_grey_price, 3 * earl_grey_price),
        espresso: (1, espresso_price, espresso_price),
        grinder: (2, grinder_price, 2 * grinder_price),
    }
    total = 3 * earl_grey_price + espresso_price + 2 * grinder_price
    assert money(journey.text("#cart-total")) == total
    assert_cart_summary(journey, 6, total)
    assert journey.broken_images("table.cart img") == []
    assert journey.side_by_side(journey.link("Continue shopping"), journey.link("Checkout")), \
        "the cart's Continue shopping and Checkout buttons overlap or are not side by side"

    # Change the espresso's quantity with its line's own select and Update button.
    row = cart_row(journey, espresso)
    journey.choose(journey.find("select[name=quantity]", row), 4)
    journey.click_and_wait(journey.button("Update", row))
    journey.shot("cart-espresso-4")
    assert cart_lines(journey)[espresso] == (4, espresso_price, 4 * espresso_price)
    total = 3 * earl_grey_price + 4 * espresso_price + 2 * grinder_price
    assert money(journey.text("#cart-total")) == total

    # Remove the tea.
    journey.click_and_wait(journey.button("Remove", cart_row(journey, earl_grey)))
    journey.shot("cart-tea-removed")
    assert set(cart_lines(journey)) == {espresso, grinder}
    total = 4 * espresso_price + 2 * grinder_price
    assert money(journey.text("#cart-total")) == total
    assert_cart_summary(journey, 6, total)

    # Checkout: the form beside the order's lines.
    journey.click_and_wait(journey.link("Checkout"))
    journey.shot("checkout")
    assert journey.path == "/orders/create/"
    assert {(int(li.get_attribute("data-product-id")), int(li.get_attribute("data-quantity")))
            for li in journey.find_all(".order-lines li")} == {(espresso, 4), (grinder, 2)}
    assert money(journey.text("#order-total")) == total

    shopper = {"id_first_name": "Jane", "id_last_name": "O'Brien", "id_address": "12 Rue <Lepic>",
               "id_postal_code": "75018", "id_city": "Paris"}
    for field, value in shopper.items():
        journey.type_into(field, value)

    # The browser itself refuses an address without an @ and stays on the page.
    email = journey.type_into("id_email", "jane.example.com")
    journey.button("Place order").click()
    assert journey.driver.execute_script("return arguments[0].validity.valid", email) is False
    assert journey.path == "/orders/create/"

    # One the browser lets through but the shop does not: the error beside the field,
    # everything typed kept, nothing saved.
    journey.type_into("id_email", "jane@example")
    journey.click_and_wait(journey.button("Place order"))
    journey.shot("checkout-invalid-email")
    assert journey.path == "/orders/create/"
    errors = journey.find_all(".errorlist")
    assert len(errors) == 1, [error.text for error in errors]
    assert "valid email" in errors[0].text
    assert journey.find(".errorlist", journey.find("#id_email").find_element("xpath", "..")) == errors[0]
    assert journey.find("#id_email").get_attribute("value") == "jane@example"
    for field, value in shopper.items():
        assert journey.find(f"#{field}").get_attribute("value") == value
    assert order_count() == orders_before

    # Fixed: the order is placed and confirmed.
    journey.type_into("id_email", "jane@example.com")
    journey.click_and_wait(journey.button("Place order"))
    journey.shot("order-created")
    order_number = journey.text("#order-number")
    assert order_number.isdigit()
    assert journey.path == f"/orders/{order_number}/created/"
    assert journey.text("h1") == "Thank you"
    assert {(int(row.get_attribute("data-product-id")), int(row.get_attribute("data-quantity")))
            for row in journey.find_all(".order-items tr[data-product-id]")} == {(espresso, 4), (grinder, 2)}
    assert money(journey.text("#order-total")) == total
    assert "12 Rue <Lepic>" in journey.text(".ship-to")
    assert journey.text("#cart-summary") == EMPTY_CART

    # What the shop stored: the order, and its items at the prices the shopper saw.
    assert psql("""
        SELECT first_name, last_name, email, address, postal_code, city, paid FROM orders_order
        WHERE id = :'id'""", id=order_number) == [
        ["Jane", "O'Brien", "jane@example.com", "12 Rue <Lepic>", "75018", "Paris", "f"]]
    items = psql("""
        SELECT product_id, price, quantity FROM orders_orderitem WHERE order_id = :'id'
        ORDER BY product_id""", id=order_number)
    assert sorted((int(p), Decimal(price), int(q)) for p, price, q in items) == sorted(
        [(espresso, espresso_price, 4), (grinder, grinder_price, 2)])
    assert order_count() == orders_before + 1

    # The cart is empty now, and the confirmation is this browser's only.
    journey.click_and_wait(journey.link("Continue shopping"))
    journey.open("/cart/")
    journey.shot("cart-empty-after-order")
    assert journey.find_all("tr[data-product-id]") == []
    assert money(journey.text("#cart-total")) == 0
    journey.driver.delete_all_cookies()
    journey.open(f"/orders/{order_number}/created/")
    journey.shot("confirmation-other-visitor")
    assert journey.find_all("#order-number") == []
    assert "Not Found" in journey.text("h1")
