"""A deterministic demo history: two product backlogs over twelve biweekly sprints.

`demo_snapshots` simulates a web-shop checkout team and a mobile app team from the Monday their
first sprint is planned (2026-05-04) to the end of their twelfth sprint, and observes each backlog
once per sprint boundary, the way a scheduled Jira export would. The story it tells is the one the
metrics look for: near-term items that are not ready, an unestimated long tail, planted duplicates,
blocked work, re-ranking and a few big reshuffles, velocity, arrivals and stale items.
Everything comes from `random.Random(seed)`; nothing reads the clock.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from backlog_health.backlog import assign_rank_positions
from backlog_health.model import ITEM_COLUMNS, LINK_COLUMNS, SPRINT_COLUMNS, Snapshot

__all__ = ["demo_snapshots"]

FIRST_SPRINT_START = datetime(2026, 5, 4, 10, 0)  # a Monday; planning starts at 10:00
SPRINT_LENGTH = timedelta(days=14)
SPRINT_COUNT = 12
SNAPSHOT_LEAD = timedelta(hours=1, minutes=30)  # the export runs at 08:30, before planning
DONE_WINDOW = timedelta(days=56)  # the export's filter keeps items resolved in the last 8 weeks

_STATUS_CATEGORY = {
    "Backlog": "To Do",
    "To Do": "To Do",
    "In Progress": "In Progress",
    "In Review": "In Progress",
    "Done": "Done",
    "Closed": "Done",
}


# --- Content -----------------------------------------------------------------------------------
# Stories are (epic index, component, role, goal, benefit): "As a <role>, I want to <goal> so
# that <benefit>." Bugs are (component, summary, steps separated by "; ", expected result).
# Tasks are (component, summary, why).

_Story = tuple[int, str, str, str, str]
_Bug = tuple[str, str, str, str]
_Task = tuple[str, str, str]


@dataclass(frozen=True)
class _Duplicate:
    """Two reports of the same thing, written by different people."""

    issue_type: str
    epic: int
    component: str
    first: tuple[str, str]  # (summary, description wiki markup)
    second: tuple[str, str]
    linked: bool = False  # someone noticed: a "Duplicate" link joins them
    arrives: int | None = None  # the second report is filed during this sprint
    closed: int | None = None  # the second report is closed as a duplicate during this sprint


@dataclass(frozen=True)
class _Team:
    """Everything that makes one demo backlog different from the other."""

    key: str
    team_field: str
    id_offset: int
    initial_open: int
    arrivals: tuple[int, int]
    product_owner: str
    developers: tuple[str, ...]
    reporters: tuple[str, ...]
    epics: tuple[tuple[str, str, str], ...]  # (summary, component, description)
    stories: tuple[_Story, ...]
    bugs: tuple[_Bug, ...]
    tasks: tuple[_Task, ...]
    epic_criteria: tuple[tuple[str, ...], ...]
    criteria: tuple[str, ...]
    task_criteria: tuple[str, ...]
    contexts: tuple[str, ...]
    bug_notes: tuple[str, ...]
    subtasks: tuple[str, ...]
    subtask_count: tuple[int, int]
    labels: tuple[str, ...]
    duplicates: tuple[_Duplicate, ...]
    velocity: tuple[int, ...]  # points the team finishes, per sprint
    grooming: tuple[float, ...]  # refinement effort, 0..1, per sprint
    reshuffles: dict[int, tuple[int, ...]]  # sprint -> epics the product owner pulls to the top
    cleanup: tuple[int, int]  # (sprint, items): stale items closed as Won't Do
    release: Callable[[int], str]
    due_dates: dict[str, datetime]  # summary -> deadline, for the few items that have one
    extra_fields: Callable[[random.Random, str], dict[str, str]]


def _checkout_fields(rng: random.Random, issue_type: str) -> dict[str, str]:
    fields = {"Team": "Checkout"}
    if issue_type == "Bug":
        fields["Severity"] = rng.choice(("S1 - Critical", "S2 - Major", "S2 - Major", "S3 - Minor", "S3 - Minor"))
    return fields


def _mobile_fields(rng: random.Random, issue_type: str) -> dict[str, str]:
    fields = {"Team": "Mobile Apps", "Platform": rng.choice(("iOS", "Android", "iOS, Android", "iOS, Android"))}
    if issue_type == "Bug":
        fields["Severity"] = rng.choice(("S1 - Critical", "S2 - Major", "S3 - Minor", "S3 - Minor"))
    return fields


_CHECKOUT = _Team(
    key="CHECKOUT",
    team_field="Checkout",
    id_offset=10000,
    initial_open=165,
    arrivals=(5, 8),
    product_owner="Hannah Weber",
    developers=("Amara Okafor", "Jonas Becker", "Priya Raman", "Lukas Nowak", "Sofia Marquez", "Daniel Kim"),
    reporters=("Tom Fischer", "Elena Rossi", "Mei Chen", "Jonas Becker"),
    epics=(
        ("Guest checkout", "Checkout", "Let first-time visitors buy without creating an account. The login wall is where most new visitors abandon their cart today."),
        ("Payment methods", "Payments", "Offer the payment methods our customers use in each country, starting with wallets and pay-later."),
        ("Delivery options", "Shipping", "Let customers choose the speed, day and place of delivery: home, parcel locker or store."),
        ("Vouchers and promotions", "Promotions", "Let marketing run campaigns without a release, and let customers see their discount before they pay."),
        ("Order confirmation and e-mails", "Order e-mails", "Make sure every customer knows what happens after they click Pay now."),
        ("Checkout performance", "Frontend", "Bring the 75th-percentile load time of every checkout step under 2 seconds on mobile."),
        ("Fraud prevention and 3-D Secure", "Payments", "Cut chargebacks without adding friction for good customers."),
        ("Accessible checkout", "Frontend", "Meet WCAG 2.2 AA on every checkout step, as the European Accessibility Act requires."),
        ("Invoices and tax", "Invoicing", "Correct VAT and invoices for consumers and business customers across the EU."),
    ),
    stories=(
        (0, "Checkout", "guest shopper", "check out without creating an account", "I can finish my first order quickly"),
        (0, "Checkout", "guest shopper", "create an account from the order confirmation page", "my address and order are saved without typing them again"),
        (0, "Checkout", "guest shopper", "look up my order with the order number and my e-mail address", "I can track it without an account"),
        (0, "Checkout", "returning customer", "log in at the payment step without losing my cart", "I can use my saved cards"),
        (0, "Checkout", "guest shopper", "see which address fields are optional", "I only fill in what is needed"),
        (0, "Checkout", "guest shopper", "be warned about typos in my e-mail domain like gmial.com", "my order confirmation reaches me"),
        (0, "Checkout", "returning customer", "sign in with my Google account", "I don't need another password"),
        (0, "Checkout", "returning customer", "sign in with Apple", "I can hide my real e-mail address from the shop"),
        (0, "Cart", "guest shopper", "find my cart again when I come back within 7 days", "I can finish the order later"),
        (0, "Cart", "returning customer", "merge my guest cart into my account cart when I log in", "no item I picked gets lost"),
        (0, "Checkout", "shop manager", "see the share of guest orders in the weekly sales report", "I know whether guest checkout pays off"),
        (0, "Checkout", "guest shopper", "see a progress bar with the remaining checkout steps", "I know how long it will take"),
        (0, "Frontend", "customer in France", "use the checkout in French", "I understand every step"),
        (0, "Frontend", "customer in Poland", "use the checkout in Polish", "I trust the shop with my payment"),
        (0, "Frontend", "customer in Italy", "read the checkout in Italian", "I don't need a translation app"),
        (0, "Frontend", "customer in Sweden", "go through checkout in Swedish", "I feel at home in the shop"),
        (0, "Checkout", "returning customer", "edit my cart from the checkout summary", "I don't have to go back to the cart page"),
        (0, "Checkout", "guest shopper", "see the return policy during checkout", "I know I can send things back"),
        (1, "Payments", "returning customer", "pay with Apple Pay", "I can confirm with Face ID instead of typing card details"),
        (1, "Payments", "returning customer", "pay with Google Pay on Android", "I can use the card stored on my phone"),
        (1, "Payments", "returning customer", "pay with PayPal", "I don't have to share my card details with the shop"),
        (1, "Payments", "returning customer", "pay later with a Klarna invoice", "I only pay once I have checked the goods"),
        (1, "Payments", "returning customer", "pay by SEPA direct debit", "I can pay from my bank account without a credit card"),
        (1, "Payments", "Dutch shopper", "pay with iDEAL", "I can pay the way I pay in every other Dutch shop"),
        (1, "Payments", "returning customer", "use a gift card together with another payment method", "I can spend a small remaining balance"),
        (1, "Payments", "returning customer", "save my card for later purchases", "I don't have to type the number every time"),
        (1, "Payments", "returning customer", "delete a saved card from my account", "I stay in control of my payment data"),
        (1, "Payments", "returning customer", "choose which saved card is preselected", "the right card is used without extra clicks"),
        (1, "Payments", "returning customer", "see in plain words why my card was declined", "I know whether to try another card"),
        (1, "Payments", "shop manager", "switch payment methods on and off per country", "we can react to local rules and outages without a release"),
        (1, "Payments", "finance clerk", "see refunds to the original payment method in the admin", "I can answer customer questions without asking the payment provider"),
        (1, "Payments", "returning customer", "pay in three instalments for orders over 100 euros", "I can spread the cost of bigger purchases"),
        (1, "Payments", "Swiss shopper", "pay with Twint", "I can use the payment app everyone uses in Switzerland"),
        (1, "Payments", "Polish shopper", "pay with a BLIK code", "I can confirm the payment in my banking app"),
        (1, "Payments", "customer outside the euro area", "see the amount in my own currency before paying", "I know what my bank will charge"),
        (2, "Shipping", "returning customer", "choose a delivery day at checkout", "I am at home when the parcel arrives"),
        (2, "Shipping", "returning customer", "collect my order in a store near me", "I save the delivery fee"),
        (2, "Shipping", "returning customer", "send my order to a parcel locker", "I can collect it after work"),
        (2, "Shipping", "shopper on a phone", "see the delivery cost before I enter my address", "I am not surprised at the last step"),
        (2, "Shipping", "shopper on a phone", "have my address completed as I type", "I make fewer typos in street names"),
        (2, "Shipping", "returning customer", "choose express delivery for next-day arrival", "urgent orders arrive in time"),
        (2, "Shipping", "returning customer", "send an order as a gift with a personal message", "the receiver knows who it is from and sees no prices"),
        (2, "Cart", "returning customer", "see an estimated delivery date in the cart", "I can decide before I start the checkout"),
        (2, "Shipping", "shop manager", "set the free-shipping threshold per country in the admin", "we can run shipping promotions without a release"),
        (2, "Shipping", "returning customer", "save several delivery addresses", "I can switch between home and office"),
        (2, "Shipping", "customer in a big city", "choose an evening delivery slot", "I can receive parcels after work"),
        (2, "Shipping", "returning customer", "see the carrier and tracking number in my account", "I can contact the carrier directly"),
        (2, "Shipping", "customer service agent", "change the delivery address of an order until it is packed", "we don't need to cancel and re-create the order"),
        (2, "Shipping", "returning customer", "choose climate-neutral delivery for a small fee", "the emissions of my parcel are offset"),
        (2, "Shipping", "customer on an island", "learn that delivery to the North Sea islands costs extra", "I am not surprised by a later charge"),
        (2, "Shipping", "returning customer", "name a safe place where the driver may leave the parcel", "it is left in my garage when I am out"),
        (3, "Promotions", "returning customer", "enter a voucher code in the cart", "I see my discount before I start the checkout"),
        (3, "Promotions", "returning customer", "learn why a voucher code was not accepted", "I know whether it expired or does not apply to my items"),
        (3, "Promotions", "marketing manager", "create vouchers that only work on a first order", "we can run welcome campaigns"),
        (3, "Promotions", "marketing manager", "set up \"buy 3, pay 2\" offers for a category", "we can clear seasonal stock"),
        (3, "Promotions", "marketing manager", "limit a voucher to one use per customer", "codes posted on coupon sites cannot be abused"),
        (3, "Promotions", "marketing manager", "count how many orders used each voucher", "I can judge a campaign while it runs"),
        (3, "Promotions", "returning customer", "redeem my loyalty points at checkout", "my points are actually worth something"),
        (3, "Promotions", "returning customer", "see the total I saved on the order summary", "I feel good about the deal"),
        (3, "Promotions", "marketing manager", "schedule a promotion to start and end at a given time", "nobody has to switch it on at midnight"),
        (3, "Cart", "returning customer", "get a free sample added automatically above 50 euros", "I am rewarded for larger orders"),
        (3, "Promotions", "marketing manager", "exclude reduced items from percentage vouchers", "we don't give double discounts"),
        (3, "Promotions", "returning customer", "see a countdown for flash sales in the cart", "I know how long the price is valid"),
        (3, "Promotions", "employee", "get my staff discount in the online shop", "I can use my benefit without going to a store"),
        (4, "Order e-mails", "returning customer", "get the order confirmation e-mail within a minute", "I know the order went through"),
        (4, "Order e-mails", "returning customer", "get a shipping e-mail with the tracking link", "I can follow my parcel"),
        (4, "Order e-mails", "returning customer", "download my invoice as a PDF from the confirmation e-mail", "I can file it for my records"),
        (4, "Order e-mails", "customer service agent", "resend the confirmation e-mail from the admin", "I can help customers who deleted it"),
        (4, "Checkout", "returning customer", "add my delivery day to my calendar from the confirmation page", "I don't forget to be at home"),
        (4, "Checkout", "returning customer", "cancel my order within 30 minutes of placing it", "I can fix a mistake without calling support"),
        (4, "Order e-mails", "returning customer", "receive e-mails in the language I used in the shop", "I understand what I receive"),
        (4, "Order e-mails", "returning customer", "get a text message on the delivery day", "I know when the driver is coming"),
        (4, "Order e-mails", "marketing manager", "track open and click rates of order e-mails", "we can improve the templates"),
        (4, "Checkout", "returning customer", "rate my checkout experience on the confirmation page", "the shop learns what annoyed me"),
        (4, "Order e-mails", "returning customer", "be reminded to review my products two weeks after delivery", "my review helps other customers"),
        (4, "Checkout", "gift buyer", "print a packing slip without prices", "the receiver does not see what I paid"),
        (5, "Frontend", "shopper on a phone", "see the payment step load within 2 seconds on a 4G connection", "I don't give up while waiting"),
        (5, "Frontend", "shopper on a phone", "keep what I typed when my connection drops", "I don't have to start again"),
        (5, "Frontend", "shop manager", "see conversion per checkout step in the dashboard", "I know where customers drop off"),
        (5, "Frontend", "shopper on a phone", "get the right keyboard for postcode and phone fields", "typing on my phone is quicker"),
        (5, "API", "shop manager", "keep the checkout working when the recommendation service is down", "we don't lose orders because of a side feature"),
        (5, "API", "shop manager", "have orders accepted even when the tax service is slow", "peak hours don't cost us sales"),
        (5, "Frontend", "shopper on a phone", "see skeleton screens while the next step loads", "the checkout feels fast"),
        (6, "Payments", "finance clerk", "have high-risk orders held for manual review", "we lose less money to chargebacks"),
        (6, "Payments", "returning customer", "complete 3-D Secure without leaving the checkout page", "I don't lose my cart when my bank asks for approval"),
        (6, "Payments", "finance clerk", "see the fraud score and its reasons on each order", "I can decide faster during review"),
        (6, "Payments", "shop manager", "block orders from e-mail domains on a deny list", "known fraudsters are stopped early"),
        (6, "Payments", "returning customer", "skip 3-D Secure for small amounts when my bank allows it", "paying is faster"),
        (6, "Payments", "finance clerk", "get a daily list of chargebacks with the order details", "I can respond before the deadline"),
        (6, "Payments", "finance clerk", "refund a held order with one click when we reject it", "the customer gets their money back quickly"),
        (7, "Frontend", "customer who uses a screen reader", "hear form errors read out when I submit", "I know what to fix"),
        (7, "Frontend", "customer who uses a screen reader", "jump between checkout steps using headings", "I can get to the step I need"),
        (7, "Frontend", "customer who only uses a keyboard", "reach every checkout control with the Tab key", "I can order without a mouse"),
        (7, "Frontend", "customer with low vision", "zoom the checkout to 200% without losing content", "I can still read prices and buttons"),
        (7, "Frontend", "customer who uses a screen reader", "be told when the order total changes", "I know the voucher was applied"),
        (7, "Frontend", "customer with colour blindness", "recognise errors without relying on red text", "I notice what went wrong"),
        (7, "Frontend", "customer who needs more time", "extend the payment session before it times out", "I am not thrown out of the checkout"),
        (7, "Frontend", "customer who uses voice control", "activate every checkout button by saying its label", "I can order hands-free"),
        (8, "Invoicing", "business customer", "enter my VAT ID at checkout", "I get a reverse-charge invoice for orders from another EU country"),
        (8, "Invoicing", "finance clerk", "have invoice numbers without gaps", "we pass the tax audit"),
        (8, "Invoicing", "business customer", "add a purchase order number to my order", "our accounts team can match the invoice"),
        (8, "Invoicing", "finance clerk", "export all invoices of a month as one file", "month-end closing takes less time"),
        (8, "Checkout", "returning customer", "see prices with the VAT of my delivery country", "the total does not change at the last step"),
        (8, "Invoicing", "business customer", "pay by invoice with 30 days payment terms", "I can order without a company credit card"),
        (8, "Invoicing", "finance clerk", "issue credit notes for partial returns", "refunds match our accounting"),
        (8, "Invoicing", "business customer", "download all my invoices of a year at once", "I can hand them to my tax adviser"),
        (8, "Invoicing", "business customer", "receive e-invoices in XRechnung format", "our accounting software imports them automatically"),
        (8, "Invoicing", "finance clerk", "list orders whose VAT ID check failed", "we can correct them before invoicing"),
        (0, "Cart", "returning customer", "move an item from the cart to my wishlist", "I can buy it another time"),
        (0, "Cart", "returning customer", "see low-stock warnings for items in my cart", "I know I should not wait too long"),
        (2, "Shipping", "customer service agent", "book a redelivery for a failed delivery", "the customer does not have to call the carrier"),
        (3, "Promotions", "marketing manager", "give a discount on the second item of the same product", "we can sell multipacks"),
        (4, "Order e-mails", "returning customer", "get an e-mail when an item of my order is delayed", "I can decide whether to wait or cancel it"),
        (6, "Payments", "finance clerk", "see all orders paid with the same card in one view", "I can spot card testing quickly"),
        (5, "Frontend", "shopper on a phone", "pay with the payment step loaded before I reach it", "the last step feels instant"),
        (1, "Payments", "business customer", "pay with a corporate card that needs a purchase reference", "our card statement shows what was bought"),
        (0, "Checkout", "returning customer", "order again from my order history in one click", "buying the same things is quick"),
        (8, "Invoicing", "business customer", "get one collective invoice per month", "our accounts team handles one document instead of twenty"),
    ),
    bugs=(
        ("Cart", "Cart total does not update after removing the last voucher", "Add two items to the cart; Apply voucher SPRING10; Remove the voucher", "The total goes back to the full price"),
        ("Payments", "PayPal pop-up closes and leaves the order unpaid", "Choose PayPal at the payment step; Log in to PayPal in the pop-up; Confirm the payment", "The order is paid and the confirmation page opens"),
        ("Checkout", "Postcode with a space is rejected for UK addresses", "Choose United Kingdom as country; Enter postcode SW1A 1AA; Continue to delivery", "The postcode is accepted"),
        ("Frontend", "Pay button can be clicked twice and creates two orders", "Fill in the checkout; Double-click Pay now on a slow connection", "Only one order is created"),
        ("Order e-mails", "Confirmation e-mail shows prices without VAT for Austrian customers", "Order as a customer in Austria; Open the confirmation e-mail", "Prices include Austrian VAT"),
        ("Shipping", "Parcel locker map does not load in Firefox", "Open the checkout in Firefox; Choose delivery to a parcel locker", "The map with nearby lockers is shown"),
        ("Promotions", "Expired voucher codes are still accepted until midnight UTC", "Apply a voucher that expired today at 18:00 CET", "The code is rejected after its end time"),
        ("Checkout", "Address autocomplete suggests streets from the wrong country", "Choose Austria as country; Type the first letters of a street", "Only Austrian addresses are suggested"),
        ("Payments", "3-D Secure challenge is cut off on small screens", "Pay with a Visa card on an iPhone SE; Wait for the bank's challenge", "The whole challenge is visible and can be completed"),
        ("Cart", "Quantity field accepts negative numbers", "Open the cart; Type -1 into the quantity field", "The quantity cannot go below 1"),
        ("Invoicing", "Invoice PDF cuts off long company names", "Order as a business customer with a company name over 40 characters; Download the invoice", "The full company name is printed"),
        ("Frontend", "Checkout layout breaks at 320 px width", "Open the checkout on a 320 px wide screen", "All fields fit the screen without horizontal scrolling"),
        ("Shipping", "Sunday offered as a delivery day", "Order on Friday evening; Look at the delivery dates offered", "Only days the carrier delivers are offered"),
        ("Payments", "Klarna is offered for orders below the 35 euro minimum", "Put items worth 20 euros in the cart; Go to the payment step", "Klarna is hidden, with a hint about the minimum"),
        ("Order e-mails", "Shipping e-mail links to the tracking page of the wrong carrier", "Order with DHL Express; Open the shipping e-mail", "The link opens DHL's tracking page"),
        ("Checkout", "\"Something went wrong\" when the house number contains a letter", "Enter house number 12a; Continue", "House numbers with letters are accepted"),
        ("API", "Order API times out for carts with more than 50 items", "Put 60 different items in the cart; Click Pay now", "The order is created within 3 seconds"),
        ("Promotions", "Free-shipping banner shows the German threshold in every country", "Switch the shop to the Netherlands; Look at the banner in the cart", "The banner shows the Dutch threshold"),
        ("Frontend", "Screen reader reads the price twice in the order summary", "Open the order summary with VoiceOver", "Each price is read once"),
        ("Payments", "Saved card expiry date shown in US format", "Save a card; Open My account > Payment methods", "The expiry date is shown as MM/YY"),
        ("Cart", "Removed items come back after logging in", "Remove an item as a guest; Log in", "The removed item stays removed"),
        ("Checkout", "Back button on the payment step empties the address form", "Fill in the address; Continue to payment; Press the browser's back button", "The address is still filled in"),
        ("Invoicing", "VAT ID validation fails for Italian companies", "Enter a valid Italian VAT ID", "The VAT ID is accepted"),
        ("Shipping", "Click & collect offers stores that are closed for renovation", "Choose click & collect in Hamburg", "Closed stores are not offered"),
        ("Order e-mails", "Order confirmation is sent twice after a payment retry", "Let the first payment fail; Retry with another card", "One confirmation e-mail is sent"),
        ("Frontend", "Focus jumps to the top of the page after choosing a delivery option", "Use the keyboard to choose a delivery option", "Focus stays on the chosen option"),
        ("Payments", "Apple Pay button missing on iPad Safari", "Open the checkout on an iPad; Go to the payment step", "The Apple Pay button is shown"),
        ("Promotions", "Voucher discount is applied to the gift wrapping fee", "Add gift wrapping; Apply a 10% voucher", "The discount applies to products only"),
        ("API", "Stock is not released when a payment is abandoned", "Start a payment; Close the browser; Wait 30 minutes", "The reserved stock is released"),
        ("Checkout", "Phone number with a country code is rejected", "Enter +49 170 1234567 as phone number", "The number is accepted"),
        ("Cart", "Cart badge shows 0 while the cart has items", "Add an item; Open a product page in a new tab", "The badge shows the number of items"),
        ("Shipping", "Express delivery is offered for bulky items", "Put a garden table in the cart; Look at the delivery options", "Express is not offered for bulky items"),
        ("Order e-mails", "Umlauts broken in the subject of the shipping e-mail", "Order as customer Jürgen Müller; Open the shipping e-mail", "The subject shows ü correctly"),
        ("Payments", "Refund to a deleted card fails silently", "Delete the card used for an order; Return the order", "The refund is made or finance is alerted"),
        ("Frontend", "Order summary overlaps the Pay button on landscape phones", "Turn the phone to landscape on the payment step", "The Pay button is fully visible"),
        ("Invoicing", "Credit note shows the original invoice date", "Return an item; Download the credit note", "The credit note shows its own date"),
        ("Checkout", "Session expires after 10 minutes on the payment step", "Stay on the payment step for 12 minutes; Click Pay now", "The payment goes through or a message explains what to do"),
        ("Promotions", "Loyalty points are deducted twice for split payments", "Redeem points and pay the rest with a card", "Points are deducted once"),
        ("API", "Tax calculation uses yesterday's rates after a deploy", "Deploy the tax service; Order right after the deploy", "Current rates are used"),
        ("Shipping", "Delivery cost in the cart differs from the checkout", "Add items for 48 euros; Compare delivery costs in cart and checkout", "Both show the same cost"),
        ("Frontend", "TypeError: Cannot read properties of undefined (reading 'price') in CartSummary", "Open the cart with an item that was removed from the catalogue", "The item is shown as unavailable"),
        ("Frontend", "Unhandled promise rejection in PaymentStep when the provider script fails to load", "Block the provider's script domain; Open the payment step", "An error message offers other payment methods"),
        ("Frontend", "ChunkLoadError on the checkout after a deploy", "Open the checkout; Deploy a new version; Continue to the next step", "The page loads the new version"),
        ("API", "500 error on /api/cart/merge for carts with deleted products", "Add a product as a guest; Delete the product in the admin; Log in", "The cart is merged without the deleted product"),
        ("API", "Deadlock on order creation under load", "Run the load test with 200 parallel orders", "All orders are created"),
        ("Frontend", "RangeError: Invalid time value in DeliveryDatePicker", "Set the browser language to Arabic; Open the delivery step", "Delivery dates are shown"),
        ("API", "NullPointerException in InvoiceService for orders without a billing address", "Place a click & collect order without a billing address", "An invoice is created with the delivery address"),
        ("Frontend", "Hydration mismatch warning on the confirmation page", "Open the confirmation page with the browser console open", "No hydration warnings"),
        ("Cart", "Product images missing in the cart for outlet items", "Add an outlet item to the cart", "The product image is shown"),
        ("Checkout", "Company name field shown for private customers in Switzerland", "Choose Switzerland; Choose private customer", "The company field is hidden"),
        ("Payments", "Gift card balance shown with three decimals", "Check the balance of a gift card", "The balance has two decimals"),
        ("Shipping", "Parcel locker search ignores the entered postcode", "Enter postcode 80331; Search for lockers", "Lockers near 80331 are shown"),
        ("Promotions", "Welcome voucher works for existing customers with a new e-mail address", "Register with a new e-mail and the address of an existing customer", "The voucher is rejected"),
        ("Order e-mails", "Order confirmation lists bundled items twice", "Order a bundle; Open the confirmation", "Bundle items are listed once"),
        ("Checkout", "Autofill in Chrome puts the street into the company field", "Use Chrome's address autofill in the checkout", "Each value lands in its own field"),
        ("Payments", "SEPA mandate reference missing on the confirmation page", "Pay by SEPA direct debit; Look at the confirmation page", "The mandate reference is shown"),
        ("Shipping", "Evening slots offered for postcodes outside the delivery area", "Enter a postcode outside Berlin; Open the delivery slots", "Only available slots are offered"),
        ("Invoicing", "Reverse-charge note missing on invoices for Belgian companies", "Order as a Belgian company with a valid VAT ID; Download the invoice", "The reverse-charge note is printed"),
        ("Cart", "Cart page jumps when the recommendation slider loads", "Open the cart on a slow connection", "The page does not move while loading"),
        ("Promotions", "Buy 3, pay 2 picks the most expensive item as the free one", "Add three items with different prices from the offer", "The cheapest item is free"),
        ("Frontend", "Safari autofill of one-time codes does not fill the 3-D Secure field", "Pay with a card that uses SMS codes in Safari", "The code is offered for autofill"),
        ("Order e-mails", "Tracking link in the shipping e-mail expires after 7 days", "Open a shipping e-mail after 8 days; Click the tracking link", "The tracking page opens"),
    ),
    tasks=(
        ("API", "Upgrade the Stripe SDK to the latest major version", "The current version stops receiving security fixes at the end of the year."),
        ("Frontend", "Upgrade React from 18 to 19", "Needed for the new form actions and to stay on a supported version."),
        ("API", "Migrate order e-mails from the legacy mail server to the transactional e-mail service", "The old server is switched off in Q4."),
        ("Frontend", "Remove the old one-page checkout behind the legacy_checkout flag", "Nobody has used it since February and it doubles our test effort."),
        ("API", "Add alerting on a payment error rate above 2%", "Last month's PayPal outage was noticed by customers first."),
        ("API", "Build a dashboard for checkout API latency per endpoint", "We need a baseline before the performance work."),
        ("Frontend", "Set up end-to-end tests for the guest checkout in CI", "Guest checkout has no automated tests yet."),
        ("API", "Rotate the payment provider API keys", "The keys are older than 12 months, which our security policy does not allow."),
        ("API", "Write a runbook for payment provider outages", "On-call engineers asked for one after the last incident."),
        ("Frontend", "Split the checkout bundle so the payment step loads on demand", "The checkout bundle is 1.4 MB."),
        ("API", "Spike: compare address validation providers", "We need a recommendation before the autocomplete story can be estimated."),
        ("Payments", "Spike: evaluate fraud scoring vendors", "Finance wants a vendor shortlist with prices."),
        ("API", "Archive orders older than 10 years", "Retention rules require deletion after 10 years."),
        ("Frontend", "Replace the date picker library", "The current one is unmaintained and fails our accessibility audit."),
        ("API", "Move voucher validation into its own service", "Voucher checks block order creation when the promotion database is slow."),
        ("Frontend", "Add tracking events for every checkout step", "The conversion dashboard needs them."),
        ("API", "Load test the checkout for 5x Black Friday traffic", "Last year's peak was 3x a normal Saturday."),
        ("Frontend", "Commission an accessibility audit of the checkout from an external agency", "Required before we can publish the accessibility statement."),
        ("Invoicing", "Update VAT rates for the 2027 changes", "Two countries announced new rates."),
        ("API", "Clean up feature flags in the checkout service", "We have 23 flags, 9 of them fully rolled out."),
        ("API", "Document the order API in OpenAPI", "The mobile team builds against it."),
        ("Frontend", "Fix flaky payment step tests", "The tests fail in about 1 of 5 CI runs."),
        ("API", "Upgrade the order database to PostgreSQL 17", "Version 13 reaches end of life in November."),
        ("Shipping", "Renew the carrier API client certificates", "They expire in August."),
        ("Promotions", "Migrate existing vouchers to the new promotion engine", "Old vouchers must keep working after the switch."),
        ("API", "Add idempotency keys to the create-order endpoint", "Retries currently create duplicate orders."),
        ("Frontend", "Remove jQuery from the cart page", "It is the last page that still loads it."),
        ("API", "Set up a sandbox account with the new payment provider", "Needed to start the Klarna and iDEAL work."),
        ("Order e-mails", "Move e-mail templates into the translation system", "Translators cannot edit them today."),
        ("API", "Review logging for personal data", "A privacy review found e-mail addresses in application logs."),
        ("Frontend", "A/B test: one-page checkout against the three-step checkout", "We want to know which layout converts better on mobile before the redesign."),
        ("Frontend", "A/B test: express checkout button on the product page", "Hypothesis: shoppers buying a single item convert better when they can skip the cart."),
        ("Promotions", "A/B test: collapsed voucher field", "Hypothesis: an open voucher field sends people to coupon sites."),
        ("Shipping", "A/B test: free-shipping progress bar in the mini cart", "Hypothesis: a progress bar raises the average order value."),
        ("Payments", "A/B test: order of payment methods by country", "Hypothesis: showing the most used method first reduces drop-off."),
        ("Checkout", "A/B test: guest checkout as the default option", "Hypothesis: fewer shoppers leave at the login step."),
        ("API", "Add rate limiting to the voucher validation endpoint", "Bots tried 40,000 codes last weekend."),
        ("Frontend", "Migrate checkout styles to the new design tokens", "The design system team retires the old variables."),
        ("API", "Set up synthetic monitoring of the full checkout every 5 minutes", "We learned about the last outage from social media."),
        ("Payments", "Move card entry to the provider's hosted fields", "Reduces our PCI scope."),
        ("API", "Remove the unused wishlist endpoints from the checkout service", "They belong to the mobile team's service now."),
        ("API", "Add contract tests between the checkout and the tax service", "A field rename broke checkout in production last month."),
        ("Frontend", "Move the checkout to the shared component library", "Buttons and inputs look different from the rest of the shop."),
        ("Payments", "Reconcile payment provider fees with finance every month", "Finance does this by hand in a spreadsheet today."),
        ("API", "Write a post-mortem template for checkout incidents", "The last two incidents were written up in different formats."),
    ),
    epic_criteria=(
        ("Works without an account: only e-mail, name and address are required", "Guest orders appear in the order export like account orders", "The login link stays visible for customers who have an account"),
        ("The method is only offered in countries where it is enabled", "Failed and cancelled payments return the customer to the payment step with the cart intact", "Refunds go back to the same method"),
        ("Delivery options and prices come from the carrier configuration, not from code", "The chosen option is shown on the order summary and in the confirmation e-mail", "Options that cannot be delivered to the address are hidden"),
        ("The discount is shown per line and in the total", "Rules are configured in the promotion admin without a release", "Invalid codes get a message that says why"),
        ("E-mails use the shop's template and the customer's language", "Links in e-mails work on desktop and mobile", "Customer service can see every e-mail sent for an order"),
        ("The 75th-percentile load time on a mid-range phone over 4G is below 2 seconds", "No layout shift when the step finishes loading", "Measured in the real-user monitoring dashboard for one week after release"),
        ("Good customers see no extra step", "Held orders show up in the review queue within a minute", "Every decision is logged with the reason"),
        ("Checked with VoiceOver on Safari and NVDA on Firefox", "All controls reachable and visible with the keyboard", "No contrast issues in the automated axe check"),
        ("Invoices show the correct VAT rate and text for the delivery country", "Finance signs off the invoice layout", "Numbers are sequential per country"),
    ),
    criteria=(
        "Works on the latest two versions of Chrome, Safari, Firefox and Edge",
        "Tracking events are defined with the analytics team",
        "Copy is reviewed by the UX writer and translated into all shop languages",
        "Released behind a feature flag and rolled out country by country",
        "Error states are covered by the design",
        "Covered by an end-to-end test in CI",
    ),
    task_criteria=(
        "Done on staging and production",
        "The README and the runbook are updated",
        "No new alerts for 48 hours after the change",
        "The team walked through the result in the sprint review",
        "Old code and configuration are removed",
    ),
    contexts=(
        "Customer care gets around 30 tickets a month about this.",
        "Two of our three biggest competitors already offer this.",
        "Requested by the country manager for the Netherlands.",
        "About 4% of checkouts fail at this step according to last quarter's data.",
        "Came up again and again in the customer interviews in March.",
        "Legal needs to approve the wording before release.",
        "Marketing wants this before the autumn campaign.",
        "Designs are in Figma, page \"Checkout 2026\".",
        "Agreed with the payments team in the last planning.",
        "We have to check the impact on the conversion dashboard before and after.",
        "Finance asked for this in the quarterly review.",
        "This is mostly relevant for mobile, where 70% of our checkouts happen.",
    ),
    bug_notes=(
        "Reported by customer care, 6 tickets this week.",
        "Seen in Sentry about 40 times a day.",
        "Found during the regression test of the last release.",
        "Only in production; staging is fine.",
        "A customer sent a screen recording.",
        "Started after Tuesday's deploy.",
        "Happens for roughly one in fifty orders.",
    ),
    subtasks=(
        "Backend: API changes",
        "Frontend: implement the UI",
        "Write unit and integration tests",
        "Add tracking events",
        "Update the API documentation",
        "UX review of the final screens",
        "QA on staging",
        "Copy review with the UX writer",
        "Feature flag and rollout plan",
    ),
    subtask_count=(3, 5),
    labels=("customer-request", "quick-win", "tech-debt", "needs-ux", "black-friday", "legal", "a11y", "regression"),
    duplicates=(
        _Duplicate(
            "Story", 2, "Shipping",
            ("Show the estimated delivery date on the product page",
             "As a returning customer, I want to see the estimated delivery date on the product page so that I know when my order will arrive before I add it to the cart.\n\nThe date should be based on stock and the carrier's cut-off time."),
            ("Estimated delivery date on product page",
             "As a customer, I want to see an estimated delivery date on the product page so that I know when my order will arrive before adding it to the cart.\n\nUse stock and the carrier cut-off time."),
            linked=True,
        ),
        _Duplicate(
            "Story", 0, "Cart",
            ("Add a Continue shopping link to the cart page",
             "As a shopper, I want a Continue shopping link on the cart page so that I can go back to the category I came from."),
            ("Continue shopping link on the cart page",
             "As a shopper, I want a link on the cart page to continue shopping so that I can go back to the category I came from."),
        ),
        _Duplicate(
            "Story", 0, "Checkout",
            ("Validate Dutch postcodes in the address form",
             "Dutch postcodes have the format 1234 AB. We should validate them in the address form and accept them with or without the space."),
            ("Validation of Dutch postcodes in the address form",
             "Dutch postcodes have the format 1234 AB. Validate them in the address form and accept them with or without a space."),
        ),
        _Duplicate(
            "Story", 1, "Payments",
            ("Show trust badges next to the Pay now button",
             "As a guest shopper, I want to see trust badges next to the Pay now button so that I feel safe entering my card details."),
            ("Display trust badges near the Pay now button",
             "As a new customer, I want to see trust badges near the Pay now button so that I feel safe entering my card details."),
        ),
        _Duplicate(
            "Story", 1, "Payments",
            ("Remember the last used payment method",
             "As a returning customer, I want the checkout to remember the payment method I used last time so that I don't have to choose it again."),
            ("Remember last used payment method for returning customers",
             "As a returning customer, I want the checkout to remember the last payment method I used so that I don't need to choose it again."),
            arrives=3,
        ),
        _Duplicate(
            "Bug", 5, "Frontend",
            ("Cookie banner covers the checkout button on mobile",
             "On phones the cookie banner covers the Go to checkout button in the cart until the banner is closed. Customers think the button is missing."),
            ("Cookie banner hides the checkout button on mobile",
             "On phones the cookie banner hides the Go to checkout button in the cart until it is closed. Customers think the button is missing."),
            linked=True,
            closed=6,
        ),
    ),
    velocity=(23, 26, 28, 31, 29, 24, 21, 23, 28, 31, 33, 30),
    grooming=(0.55, 0.75, 0.85, 0.9, 0.6, 0.25, 0.15, 0.3, 0.75, 0.85, 0.9, 0.45),
    reshuffles={4: (2,), 9: (5, 6)},
    cleanup=(6, 12),
    release=lambda sprint: (FIRST_SPRINT_START + SPRINT_LENGTH * sprint).strftime("%Y.%m"),
    due_dates={
        "Renew the carrier API client certificates": datetime(2026, 8, 14),
        "Upgrade the order database to PostgreSQL 17": datetime(2026, 11, 2),
        "Update VAT rates for the 2027 changes": datetime(2026, 12, 1),
        "Load test the checkout for 5x Black Friday traffic": datetime(2026, 10, 30),
        "Migrate order e-mails from the legacy mail server to the transactional e-mail service": datetime(2026, 9, 30),
    },
    extra_fields=_checkout_fields,
)

_MOBILE = _Team(
    key="MOBILE",
    team_field="Mobile Apps",
    id_offset=20000,
    initial_open=170,
    arrivals=(5, 8),
    product_owner="Laura Schmidt",
    developers=("Ravi Patel", "Chloe Martin", "Ahmed Hassan", "Nina Johansson", "Marco Bianchi", "Yuki Tanaka"),
    reporters=("Owen Murphy", "Fatima Zahra", "Pedro Alves", "Chloe Martin"),
    epics=(
        ("Onboarding and sign-in", "Onboarding", "Get new users from install to their first product view in under a minute, and keep them signed in."),
        ("Push notifications", "Notifications", "Useful, opt-in notifications for orders, price drops and back-in-stock items, without spamming."),
        ("Offline mode", "Offline", "Browse favourites, see orders and build a cart without a connection; sync when back online."),
        ("Wishlist and favourites", "Wishlist", "Let users save products, share lists and hear about price drops."),
        ("Native checkout", "Checkout", "Replace the embedded web checkout with a native flow using Apple Pay and Google Pay."),
        ("Order tracking", "Orders", "Show where every order is, live, without opening an e-mail."),
        ("App performance and stability", "Platform", "Crash-free sessions above 99.8% and a cold start under 2 seconds on mid-range Android phones."),
        ("Accessibility and dark mode", "Accessibility", "Support VoiceOver, TalkBack, Dynamic Type and dark mode across the app."),
        ("In-store mode", "Store", "Help customers in our stores: scan a product, check stock, find the aisle."),
    ),
    stories=(
        (0, "Onboarding", "new app user", "browse as a guest without signing up", "I can look around before I commit"),
        (0, "Onboarding", "new app user", "sign up with Apple or Google in one tap", "I don't have to invent a password"),
        (0, "Onboarding", "returning app user", "unlock the app with Face ID or fingerprint", "I don't type my password in public"),
        (0, "Onboarding", "new app user", "see three short intro screens I can skip", "I understand what the app offers"),
        (0, "Onboarding", "returning app user", "stay signed in for 90 days", "I don't have to log in every week"),
        (0, "Onboarding", "new app user", "pick my favourite categories during onboarding", "the home screen shows things I care about"),
        (0, "Onboarding", "returning app user", "reset my password without leaving the app", "I don't get stuck in the browser"),
        (0, "Onboarding", "returning app user", "move my account to a new phone by scanning a QR code", "I don't have to remember my password"),
        (0, "Onboarding", "app user", "delete my account from the settings screen", "I can leave without writing to support"),
        (0, "Onboarding", "marketing manager", "see where new users drop out of onboarding", "we can fix the weakest screen first"),
        (0, "Onboarding", "new app user", "get a welcome voucher after creating an account in the app", "I have a reason to order in the app"),
        (0, "Onboarding", "returning app user", "see what is new after an app update", "I notice new features"),
        (1, "Notifications", "app user", "get a notification when my order has shipped", "I know it is on its way"),
        (1, "Notifications", "app user", "get a notification when a favourite is back in stock", "I can buy it before it sells out again"),
        (1, "Notifications", "app user", "hear when a favourite drops in price", "I buy at the right moment"),
        (1, "Notifications", "app user", "choose which kinds of notifications I receive", "I only get what I find useful"),
        (1, "Notifications", "app user", "be asked for notification permission after my first order, not at launch", "I understand why the app wants it"),
        (1, "Notifications", "marketing manager", "send a campaign push to users in one country", "we can promote local offers"),
        (1, "Notifications", "marketing manager", "limit marketing pushes to two per week per user", "people don't switch notifications off"),
        (1, "Notifications", "app user", "land on the right screen when I tap a notification", "I don't have to search for the order or product"),
        (1, "Notifications", "app user", "find older messages in a notification inbox", "I can find an offer after I swiped the push away"),
        (1, "Notifications", "app user", "be reminded about items left in my cart after 24 hours", "I don't forget an order I started"),
        (1, "Notifications", "app user", "learn when my return has been refunded", "I know the money is back"),
        (1, "Notifications", "app user", "mute notifications at night", "I am not woken up by offers"),
        (2, "Offline", "app user", "see my favourites without a connection", "I can show them to someone in a basement shop"),
        (2, "Offline", "app user", "open my recent orders offline", "I can show the order number at the pickup desk"),
        (2, "Offline", "app user", "add items to my cart while offline", "nothing is lost when I am on the underground"),
        (2, "Offline", "app user", "see a clear banner when I am offline", "I know why prices might be out of date"),
        (2, "Offline", "app user", "have images of the last 100 products I viewed cached", "the app feels fast on a bad connection"),
        (2, "Offline", "app user", "have my cart synced between phone and web", "I can finish an order on my laptop"),
        (2, "Offline", "app user with an older phone", "limit the offline cache to 200 MB", "the app does not fill my phone"),
        (2, "Offline", "app user", "get my cart back after the system closed the app", "I don't lose what I picked"),
        (2, "Offline", "app user", "read saved product details like size and material offline", "I can compare products without a signal"),
        (3, "Wishlist", "app user", "save a product to my favourites with one tap", "I can find it later"),
        (3, "Wishlist", "app user", "organise favourites in several lists", "I can keep gift ideas apart from my own wishes"),
        (3, "Wishlist", "app user", "share a wishlist by link", "friends can see what I would like for my birthday"),
        (3, "Wishlist", "app user", "move all items of a list to the cart", "I can order a whole list at once"),
        (3, "Wishlist", "app user", "spot which favourites are on sale", "I find deals without opening every product"),
        (3, "Wishlist", "app user", "sort favourites by price or date added", "I find things quickly in a long list"),
        (3, "Wishlist", "app user", "keep my favourites when I sign in on another phone", "my lists are not tied to one device"),
        (3, "Wishlist", "marketing manager", "know the most saved products of the week", "we can plan stock and campaigns"),
        (3, "Wishlist", "app user", "add a note to a favourite", "I remember why I saved it"),
        (3, "Wishlist", "app user", "be reminded when a favourite's sale ends tomorrow", "I don't miss the discount"),
        (4, "Checkout", "app user", "pay with Apple Pay in the app", "I can confirm with Face ID"),
        (4, "Checkout", "app user", "pay with Google Pay in the app", "I can pay with the card on my phone"),
        (4, "Checkout", "app user", "check out natively without a web view", "checkout feels fast and does not log me out"),
        (4, "Checkout", "app user", "scan my credit card with the camera", "I don't type 16 digits on a small screen"),
        (4, "Checkout", "app user", "use my saved addresses from the web shop", "I don't type them again in the app"),
        (4, "Checkout", "app user", "apply a voucher in the app cart", "I see the discount before paying"),
        (4, "Checkout", "app user", "compare delivery options with prices in the app checkout", "I can choose the cheapest one"),
        (4, "Checkout", "app user", "reorder a past order with one tap", "weekly essentials take seconds"),
        (4, "Checkout", "product manager", "compare app checkout conversion with web conversion", "we know whether the native checkout pays off"),
        (4, "Checkout", "app user", "pay with PayPal in the app", "I can use my PayPal balance"),
        (4, "Checkout", "app user", "review the order summary before I confirm with Face ID", "I know what I am paying for"),
        (5, "Orders", "app user", "follow the delivery van on a live map", "I know when to be at home"),
        (5, "Orders", "app user", "see all my orders with their status in one list", "I don't have to search my e-mails"),
        (5, "Orders", "app user", "start a return from the order screen", "I don't need to print a form"),
        (5, "Orders", "app user", "show a pickup code for click & collect orders", "staff can hand over my order quickly"),
        (5, "Orders", "app user", "contact support about an order from the order screen", "the agent already knows which order I mean"),
        (5, "Orders", "app user", "see the order status in a home screen widget", "I don't need to open the app"),
        (5, "Orders", "iPhone user", "follow my delivery in a Live Activity on the lock screen", "I see the arrival time at a glance"),
        (5, "Orders", "app user", "rate the delivery after it arrives", "the shop learns which carriers are good"),
        (5, "Orders", "app user", "change the delivery day from the order screen", "I can move it when my plans change"),
        (5, "Orders", "app user", "upload a photo of a damaged item when I start a return", "the refund is processed faster"),
        (5, "Orders", "app user", "see my store purchases next to my online orders", "I have all receipts in one place"),
        (6, "Platform", "app user with an older phone", "open the app in under 2 seconds", "I don't give up before the home screen appears"),
        (6, "Platform", "app user", "scroll the product list without stutter", "browsing feels smooth"),
        (6, "Platform", "app user", "be asked to update when a critical fix is released", "I don't keep a broken version"),
        (6, "Platform", "app user", "get a friendly message when the server is down", "I know the app is not broken"),
        (6, "Platform", "product manager", "track crash-free session rates per app version", "we can decide whether to halt a rollout"),
        (6, "Platform", "app user", "download less data on mobile data", "my data plan lasts longer"),
        (6, "Platform", "app user", "keep my place in a long product list when I come back from a product", "I don't have to scroll again"),
        (6, "Platform", "product manager", "roll out a feature to 10% of users first", "we can catch problems before everyone sees them"),
        (6, "Platform", "Android user", "use the app on a foldable phone", "the layout uses the larger screen"),
        (6, "Platform", "iPhone user", "reorder favourites with a Siri shortcut", "I can shop hands-free"),
        (6, "Platform", "Android user", "use the predictive back gesture", "the app feels like other Android apps"),
        (6, "Platform", "iPad user", "browse in landscape on an iPad", "I can shop comfortably on the sofa"),
        (6, "Platform", "Android tablet owner", "install the app on my tablet from Google Play", "I can use it on a big screen"),
        (7, "Accessibility", "app user who uses VoiceOver", "hear product prices and discounts read correctly", "I know what things cost"),
        (7, "Accessibility", "app user who uses TalkBack", "navigate the home screen by headings", "I can jump to the section I want"),
        (7, "Accessibility", "app user with low vision", "use the app with the largest system font size", "I can read everything without zooming"),
        (7, "Accessibility", "app user", "switch the app to dark mode", "it is easier on my eyes in the evening"),
        (7, "Accessibility", "app user who uses Switch Control", "reach every button on the product page", "I can shop independently"),
        (7, "Accessibility", "app user", "turn off autoplaying product videos", "the app does not make me dizzy"),
        (7, "Accessibility", "app user who uses VoiceOver", "get image descriptions for product photos", "I know what the product looks like"),
        (7, "Accessibility", "app user", "use the app with reduced motion", "animations don't distract me"),
        (7, "Accessibility", "app user who uses TalkBack", "hear the cart total after changing a quantity", "I know the new total"),
        (8, "Store", "shopper in a store", "scan a barcode to see reviews and other sizes", "I can decide in the store"),
        (8, "Store", "shopper in a store", "check whether a size is in stock in this store", "I don't wait for a staff member"),
        (8, "Store", "shopper in a store", "find the aisle a product is in", "I find it quickly"),
        (8, "Store", "app user", "find the nearest store with its opening hours", "I know where to go"),
        (8, "Store", "shopper in a store", "switch the app to in-store mode when I enter a store", "I see store offers and stock first"),
        (8, "Store", "shopper in a store", "pay for a product in the app and skip the queue", "I can leave straight away"),
        (8, "Store", "store manager", "send an offer to app users in my store", "we can clear stock locally"),
        (8, "Store", "shopper in a store", "book a fitting room from the app", "I don't have to wait in line"),
        (8, "Store", "shopper in a store", "show my loyalty card from the app at the till", "I collect points without a plastic card"),
        (8, "Store", "shopper in a store", "ask for another size to be brought to the fitting room", "I don't have to get dressed again"),
        (8, "Store", "shopper in a store", "reserve an item online and try it on in the store", "I don't pay for something that does not fit"),
        (8, "Store", "store employee", "look up a customer's click & collect order by scanning their app", "handover takes seconds"),
        (0, "Onboarding", "new app user", "choose my country and language on the first start", "prices and texts are right from the beginning"),
        (0, "Onboarding", "returning app user", "sign in with a magic link sent by e-mail", "I don't need my password on a new phone"),
        (1, "Notifications", "app user", "get a notification when my click & collect order is ready", "I don't go to the store too early"),
        (2, "Offline", "app user", "see when the app last synced", "I know how fresh prices and stock are"),
        (3, "Wishlist", "app user", "get size suggestions on my favourites based on past orders", "I pick the right size faster"),
        (4, "Checkout", "app user", "pay in instalments with Klarna in the app", "I can spread the cost like on the web"),
        (4, "Checkout", "app user", "split the order into store pickup and home delivery", "I get the in-stock items today"),
        (5, "Orders", "app user", "download the invoice of an order in the app", "I don't need the web shop for my records"),
        (5, "Orders", "app user", "get my return label as a QR code", "I can drop the parcel off without a printer"),
        (6, "Platform", "app user", "open links from marketing e-mails directly in the app", "I land on the product, not the home screen"),
        (6, "Platform", "product manager", "see the share of users on each app version", "we know when we can drop old API versions"),
        (7, "Accessibility", "app user with a hearing impairment", "get captions on product videos", "I don't miss what is said"),
        (7, "Accessibility", "app user", "use the app in landscape on my phone", "I can keep my phone in its holder"),
        (3, "Wishlist", "app user", "see the price history of a favourite", "I know whether the current price is a good deal"),
        (1, "Notifications", "marketing manager", "target pushes at users who viewed a category this week", "offers reach people who care"),
        (5, "Orders", "app user", "see which items of an order ship separately", "I am not worried when only one parcel arrives"),
    ),
    bugs=(
        ("Checkout", "App crashes when the Apple Pay sheet is closed during payment", "Add an item; Pay with Apple Pay; Close the sheet before confirming", "The app returns to the checkout"),
        ("Wishlist", "Favourites disappear after the update to 5.3", "Save favourites in 5.2; Update to 5.3", "All favourites are still there"),
        ("Notifications", "Shipping push opens the home screen instead of the order", "Receive a shipping notification; Tap it", "The order screen opens"),
        ("Onboarding", "Face ID prompt appears twice on app start", "Enable Face ID login; Restart the app", "Face ID is asked once"),
        ("Platform", "Android app freezes on the product list on Samsung A-series phones", "Open a category with more than 200 products on a Galaxy A14; Scroll fast", "The list scrolls smoothly"),
        ("Offline", "Cart items added offline are lost after reconnecting", "Go offline; Add two items; Go online", "Both items are in the cart"),
        ("Accessibility", "VoiceOver reads \"button\" for the favourite icon without a label", "Turn on VoiceOver; Focus the heart icon on a product", "VoiceOver reads \"Add to favourites\""),
        ("Orders", "Order list shows cancelled orders as In delivery", "Cancel an order; Open the order list", "The order shows as Cancelled"),
        ("Store", "Barcode scanner does not focus on iPhone 15 Pro", "Open the scanner on an iPhone 15 Pro; Point at a barcode 10 cm away", "The barcode is read"),
        ("Platform", "Dark mode shows black text on dark grey in the filter sheet", "Turn on dark mode; Open the filters", "The text is readable"),
        ("Checkout", "Voucher field hidden behind the keyboard on small Android phones", "Open the cart on a 5-inch phone; Tap the voucher field", "The field stays visible above the keyboard"),
        ("Onboarding", "Sign in with Google fails when the Google app is not installed", "Uninstall the Google app; Tap Sign in with Google", "Sign-in works in the browser"),
        ("Notifications", "Price drop notification shows the old price", "Save a product; Wait for a price drop; Read the notification", "It shows the new price"),
        ("Orders", "Live map keeps the van at the depot all day", "Open a tracked delivery on the delivery day", "The van position updates"),
        ("Platform", "App uses 40% battery per hour with in-store mode on", "Enable in-store mode; Keep the app open for an hour", "Battery use is similar to browsing"),
        ("Wishlist", "Shared wishlist link opens the web shop instead of the app", "Share a wishlist; Open the link on a phone with the app", "The list opens in the app"),
        ("Checkout", "Google Pay button missing for users in Austria", "Set the store to Austria; Go to checkout on Android", "Google Pay is offered"),
        ("Accessibility", "Text overlaps on the product page at the largest font size", "Set the largest font size; Open a product", "All text is readable without overlap"),
        ("Platform", "Crash on launch on Android 10 after update 5.4.0", "Install 5.4.0 on an Android 10 phone; Open the app", "The app starts"),
        ("Store", "Store opening hours shown in the phone's time zone", "Travel to another time zone; Look up a store", "Opening hours are in the store's local time"),
        ("Offline", "Offline banner stays after the connection returns", "Turn on flight mode; Turn it off", "The banner disappears"),
        ("Orders", "Return label PDF cannot be opened on Android", "Start a return; Tap Download label", "The label opens"),
        ("Checkout", "Delivery slot times shown in 12-hour format in Germany", "Choose Germany; Go to the delivery slots", "Times show in 24-hour format"),
        ("Notifications", "Notifications still arrive after turning them off in settings", "Turn off order notifications in the app settings; Place an order", "No order notifications arrive"),
        ("Platform", "Images load blurry on iPad Pro", "Open a product on an iPad Pro", "Images are sharp"),
        ("Onboarding", "Keyboard covers the password field on the sign-up screen", "Tap the password field on an iPhone SE", "The field scrolls above the keyboard"),
        ("Wishlist", "Favourite heart stays filled after removing the item", "Remove a favourite from the list; Go back to the product", "The heart is empty"),
        ("Orders", "Order date shown as yesterday for orders placed after 23:00", "Place an order at 23:30; Open the order list", "The order shows today's date"),
        ("Checkout", "Card scanner opens upside down on Android tablets", "Rotate the tablet; Tap Scan card", "The camera preview is upright"),
        ("Platform", "App crashes when opening a product with no images", "Open a product without images", "A placeholder image is shown"),
        ("Accessibility", "TalkBack focus lost after closing the size picker", "Open and close the size picker with TalkBack", "Focus returns to the size button"),
        ("Store", "In-store mode switches on at home near a closed store", "Live near a store; Open the app at home in the evening", "In-store mode stays off"),
        ("Notifications", "Back-in-stock push sent for a size I did not choose", "Subscribe to size M; Size S comes back", "No push for size S"),
        ("Checkout", "Total in the app differs from the web shop by the packaging fee", "Build the same cart in the app and on the web", "The totals match"),
        ("Orders", "Pickup code screen turns off before staff can scan it", "Open the pickup code; Wait 20 seconds", "The screen stays on while the code is shown"),
        ("Platform", "Crash in CartRepository: IllegalStateException when cart sync returns 409", "Edit the cart on two phones at the same time", "The newer cart wins and the app does not crash"),
        ("Platform", "Crash in ProductDetailViewModel: NullPointerException for products without a brand", "Open a product without a brand", "The product page opens"),
        ("Platform", "Crash in OrderListAdapter: IndexOutOfBoundsException after pull to refresh", "Pull to refresh the order list twice quickly", "The list refreshes"),
        ("Platform", "EXC_BAD_ACCESS in ImageCache when memory is low", "Open 50 products in a row on an iPhone 11", "The app stays open"),
        ("Platform", "Crash in PushReceiver when the payload has no order id", "Send a push without an order id from the test console", "The notification opens the home screen"),
        ("Platform", "OutOfMemoryError in the product gallery on Android 9", "Swipe through 30 photos of a product", "The gallery keeps working"),
        ("Platform", "Crash in StoreLocatorMap when location permission is revoked", "Open the store finder; Revoke location permission in settings; Return to the app", "The store finder asks for permission again"),
        ("Platform", "Crash in SessionManager when the refresh token has expired", "Do not open the app for 91 days; Open it", "The app asks to sign in again"),
        ("Platform", "Crash in AddressFormView when pasting an address with emojis", "Paste an address with an emoji into the street field", "The emoji is removed and the address accepted"),
        ("Platform", "Crash in PaymentSheetCoordinator when rotating during Apple Pay", "Start Apple Pay on an iPad; Rotate it", "The payment sheet stays open"),
        ("Wishlist", "Favourites count badge is wrong after signing out", "Sign out; Look at the favourites tab", "No badge is shown"),
        ("Orders", "Tracking shows the wrong carrier logo", "Open a delivery by GLS", "The GLS logo is shown"),
        ("Onboarding", "Intro screens shown again after every update", "Update the app", "Intro screens are shown only once"),
        ("Notifications", "Two pushes for the same shipping update", "Order; Wait for the shipping update", "One push per update"),
        ("Store", "Store finder lists stores in another country first", "Search for stores in Basel", "Swiss stores come first"),
        ("Checkout", "Address form loses the house number when switching apps", "Type the address; Switch to the messages app to copy the postcode; Come back", "The house number is still there"),
        ("Orders", "Order detail shows the web shop's product image placeholder", "Open an order with a discontinued product", "The original product image is shown"),
        ("Wishlist", "Sorting favourites by price ignores sale prices", "Save products on sale; Sort by price", "Sale prices are used for sorting"),
        ("Notifications", "Notification badge on the app icon never clears on Android", "Receive two notifications; Open both in the app", "The badge disappears"),
        ("Onboarding", "Country picker lists countries in English for German users", "Set the phone to German; Start the app for the first time", "Country names are in German"),
        ("Platform", "Pull to refresh on the home screen reloads twice", "Pull down on the home screen once", "The content reloads once"),
        ("Accessibility", "Dark mode product cards have no visible border", "Turn on dark mode; Open a category", "Cards are clearly separated"),
        ("Store", "Aisle numbers missing for products in the Munich store", "Select the Munich store; Search for a product in stock", "The aisle number is shown"),
        ("Checkout", "Apple Pay shows the wrong shipping method name", "Choose express delivery; Pay with Apple Pay", "The sheet shows Express delivery"),
        ("Offline", "Favourites show outdated prices for a day after going online", "Go offline for a day; Go online; Open favourites", "Prices update within a minute"),
    ),
    tasks=(
        ("Platform", "Raise the minimum Android version to 9", "Android 8 is below 1% of sessions and blocks the new billing library."),
        ("Platform", "Raise the minimum iOS version to 17", "Needed for Live Activities and the new navigation API."),
        ("Platform", "Migrate the iOS app to Swift 6 strict concurrency", "Removes a class of data-race crashes."),
        ("Platform", "Move the Android app to Jetpack Compose navigation", "Fragments and Compose screens are mixed today."),
        ("Platform", "Upgrade Kotlin and the Android Gradle plugin", "The current versions block the new target SDK."),
        ("Platform", "Target Android API level 35", "Google Play requires it for updates from 31 August."),
        ("Platform", "Add crash reporting for the Android widget process", "Widget crashes are invisible today."),
        ("Platform", "Set up staged rollouts with an automatic halt on crash spikes", "The last release needed a manual halt at 3 a.m."),
        ("Platform", "Replace the deprecated push SDK", "The vendor ends support for the old SDK."),
        ("Platform", "Add UI tests for sign-in on both platforms", "Sign-in regressions reached production twice this year."),
        ("Platform", "Reduce the Android app size below 30 MB", "Download size hurts installs in markets with expensive data."),
        ("Platform", "Spike: compare feature flag services for the apps", "We can change behaviour only through app updates today."),
        ("Platform", "Spike: Kotlin Multiplatform for shared business logic", "Cart and price rules are written twice."),
        ("Platform", "Update the iOS privacy manifest", "App Store review requires it for all SDKs."),
        ("Platform", "Clean up analytics events that nobody uses", "We send 140 event types; the dashboard uses 35."),
        ("Platform", "Move API keys out of the app bundle", "A security review found them in the Android APK."),
        ("Platform", "Document the release process in the wiki", "Only two people know how to ship a hotfix."),
        ("Platform", "Fix flaky snapshot tests on CI", "One in four builds fails for no reason."),
        ("Platform", "Upgrade the image loading library on iOS", "The old version leaks memory on product lists."),
        ("Platform", "Set up performance monitoring for app start", "We have no numbers for cold start by device class."),
        ("Notifications", "Move push tokens to the new notification service", "The old service is shut down in Q3."),
        ("Checkout", "Get the mobile team access to the payment provider's sandbox", "Needed to start the native checkout."),
        ("Store", "Read store stock from the new inventory API", "The old export is updated only nightly."),
        ("Accessibility", "Run an accessibility audit of both apps with real users", "The last audit is two years old."),
        ("Offline", "Spike: choose a local database for offline mode", "Room, SQLDelight and Core Data are candidates."),
        ("Platform", "Renew the Apple push certificate", "It expires on 30 June."),
        ("Platform", "Translate the app into Polish and Czech", "Both markets launch in the autumn."),
        ("Platform", "Add deep link tests for all marketing links", "Campaign links broke twice after refactorings."),
        ("Platform", "A/B test: bottom navigation with four tabs instead of five", "Hypothesis: fewer tabs make the cart easier to find."),
        ("Checkout", "A/B test: Apple Pay as the first payment option", "Hypothesis: wallet users convert better when it is preselected."),
        ("Notifications", "A/B test: ask for push permission after the first favourite", "Hypothesis: the opt-in rate rises above 60%."),
        ("Onboarding", "A/B test: onboarding without intro screens", "Hypothesis: more users reach the first product view."),
        ("Platform", "Prompt for an App Store review after the third order", "Our rating is 4.1 and most reviews come from frustrated users."),
        ("Platform", "Move the Android build to the new CI runners", "The old runners are shut down at the end of the quarter."),
        ("Platform", "Automate screenshots for the store listings", "Updating them by hand takes two days per release."),
        ("Platform", "Add remote kill switches for features", "We cannot turn off a broken feature without a release."),
        ("Platform", "Replace the deprecated location API on Android", "Google removes it with the next Play services release."),
        ("Platform", "Set up a beta channel in TestFlight and Google Play", "Store staff want to try features before customers."),
        ("Orders", "Move order tracking to the carrier webhooks", "Polling the carriers every minute costs us money."),
        ("Platform", "Remove the old image CDN from the apps", "All images are served from the new CDN since March."),
        ("Platform", "Write an architecture decision record for offline storage", "The team keeps revisiting the same discussion."),
        ("Platform", "Update the app's third-party licence list", "Legal asked for it before the next release."),
    ),
    epic_criteria=(
        ("Works for new users and for users who signed up on the web", "Sign-in state survives an app update", "Tracked in the onboarding funnel"),
        ("Only sent to users who opted in to this kind of notification", "Tapping the notification opens the matching screen", "Respects the quiet hours set on the phone"),
        ("Works in flight mode and syncs within 10 seconds of reconnecting", "No data is lost when the app is killed offline", "The offline banner explains what is out of date"),
        ("Favourites sync between app and web within a minute", "Works for signed-in users; guests are asked to sign in", "Removing a favourite updates every list"),
        ("Apple Pay on iOS and Google Pay on Android", "Failed payments return to the checkout with the cart intact", "Conversion is tracked next to the web checkout"),
        ("Status updates arrive within 5 minutes of the carrier scan", "Works for home delivery and click & collect", "Cancelled and returned orders are shown correctly"),
        ("Measured in the crash and performance dashboards for two weeks after release", "No regression on the low-end reference phones", "Rolled out in stages with an automatic halt"),
        ("Checked with VoiceOver and TalkBack", "Works at the largest system font size", "Dark mode colours pass contrast checks"),
        ("Works only when the user is in or next to a store", "Stock is at most 15 minutes old", "Store staff were shown the flow before release"),
    ),
    criteria=(
        "Works on iOS and Android, phones and tablets",
        "Analytics events agreed with the product manager",
        "Design reviewed by Fatima on both platforms",
        "Released behind a remote feature flag",
        "Texts are translated into all app languages",
        "Covered by UI tests on both platforms",
    ),
    task_criteria=(
        "Done for iOS and Android",
        "The release checklist is updated",
        "No crash spike in the first 48 hours after release",
        "The team walked through the result in the sprint review",
        "Old code paths are removed",
    ),
    contexts=(
        "Support gets about 20 tickets a month about this.",
        "This is one of the top requests in App Store reviews.",
        "The web shop has had this for a year.",
        "Requested by the store operations team.",
        "Seen in usability tests in April: 4 of 6 participants struggled here.",
        "Designs are in Figma, page \"App 2026\".",
        "Marketing wants this before the autumn campaign.",
        "Needs an API change from the checkout team.",
        "Android first; iOS can follow in the next release.",
        "We should check the crash dashboard before and after.",
        "App ratings mention this often.",
        "About 60% of app orders come from returning users.",
    ),
    bug_notes=(
        "Reported by support, 5 tickets this week.",
        "Seen in Crashlytics for about 0.3% of sessions.",
        "Found during the release test of the last version.",
        "Only on Android; iOS is fine.",
        "Only on iOS; Android is fine.",
        "Several one-star reviews mention this.",
        "Started with the last release.",
    ),
    subtasks=(
        "iOS implementation",
        "Android implementation",
        "Backend API changes",
        "UI tests",
        "Design QA",
        "Analytics events",
        "Accessibility check with VoiceOver and TalkBack",
        "Release notes and store text",
    ),
    subtask_count=(3, 5),
    labels=("customer-request", "quick-win", "tech-debt", "needs-design", "ios-only", "android-only", "a11y", "regression"),
    duplicates=(
        _Duplicate(
            "Story", 5, "Orders",
            ("Pull to refresh on the order list",
             "As an app user, I want to pull down on the order list to refresh it so that I see the latest status of my orders."),
            ("Add pull-to-refresh to the order list",
             "As an app user, I want to pull down the order list to refresh it so that I see the latest status of my order."),
        ),
        _Duplicate(
            "Story", 3, "Wishlist",
            ("Show the size guide on the product page",
             "As an app user, I want to open the size guide from the product page so that I order the right size the first time."),
            ("Size guide on the product page",
             "As an app user, I want to see the size guide on the product page so that I order the right size the first time."),
        ),
        _Duplicate(
            "Bug", 6, "Platform",
            ("App crashes when rotating the phone during checkout",
             "The app crashes when the phone is rotated on the checkout screen. Seen in Crashlytics on Android 13 and 14."),
            ("Crash when rotating the phone during checkout",
             "Crash when the phone is rotated on the checkout screen. Seen in Crashlytics on Android 13 and 14."),
            linked=True,
            closed=8,
        ),
        _Duplicate(
            "Story", 0, "Onboarding",
            ("Show recent searches in the search field",
             "As an app user, I want to see my recent searches when I tap the search field so that I can repeat a search quickly."),
            ("Search history: show recent searches",
             "As an app user, I want to see my recent searches when I tap into the search field so that I can repeat a search quickly."),
        ),
        _Duplicate(
            "Story", 7, "Accessibility",
            ("Haptic feedback when adding to the cart",
             "As an app user, I want a short vibration when I add a product to the cart so that I know it worked without looking."),
            ("Add haptic feedback on add to cart",
             "As an app user, I want a short vibration when I add a product to the cart so I know it worked without looking."),
            linked=True,
        ),
        _Duplicate(
            "Story", 3, "Wishlist",
            ("Share a product from the product page",
             "As an app user, I want to share a product link from the product page so that I can ask a friend for their opinion."),
            ("Share product link from the product page",
             "As an app user, I want to share a link to a product from the product page so that I can ask friends for their opinion."),
            arrives=7,
        ),
    ),
    velocity=(20, 22, 25, 27, 26, 29, 22, 21, 25, 28, 30, 27),
    grooming=(0.4, 0.55, 0.7, 0.8, 0.85, 0.7, 0.2, 0.35, 0.65, 0.8, 0.5, 0.65),
    reshuffles={7: (8,), 11: (4,)},
    cleanup=(10, 10),
    release=lambda sprint: f"5.{sprint + 2}.0",
    due_dates={
        "Renew the Apple push certificate": datetime(2026, 6, 30),
        "Target Android API level 35": datetime(2026, 8, 31),
        "Move push tokens to the new notification service": datetime(2026, 9, 30),
        "Translate the app into Polish and Czech": datetime(2026, 9, 14),
        "Update the iOS privacy manifest": datetime(2026, 7, 1),
    },
    extra_fields=_mobile_fields,
)

_TEAMS: tuple[_Team, ...] = (_CHECKOUT, _MOBILE)


# --- LexoRank-style ranks ----------------------------------------------------------------------
# A rank is kept as base-36 digits read as a fraction (no trailing zeros), so a rank strictly
# between two others always exists, and plain string order is rank order. It is shown the way
# Jira shows it, "0|" + six digits + ":" + any further digits; with a fixed six-digit main part
# that rendering sorts exactly like the digits do.

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_RANK_STEP = 373_261  # spacing of freshly appended ranks
_RANK_BASE = int("i00000", 36)


def _midpoint(low: str, high: str | None) -> str:
    """Digits strictly between `low` and `high` (None: above everything)."""
    if high is not None:
        shared = 0
        while shared < len(high) and (low[shared] if shared < len(low) else "0") == high[shared]:
            shared += 1
        if shared:
            return high[:shared] + _midpoint(low[shared:], high[shared:])
    digit_low = _DIGITS.index(low[0]) if low else 0
    digit_high = _DIGITS.index(high[0]) if high is not None else len(_DIGITS)
    if digit_high - digit_low > 1:
        return _DIGITS[(digit_low + digit_high) // 2]
    if high is not None and len(high) > 1:
        return high[:1]
    return _DIGITS[digit_low] + _midpoint(low[1:], None)


def _between(low: str, high: str) -> str:
    """A rank strictly between `low` ("" for the very top) and `high`, as short as Jira's."""
    low_main = int(low.ljust(6, "0")[:6], 36) if low else 0
    high_main = int(high.ljust(6, "0")[:6], 36)
    if high_main - low_main >= 2:
        return _encode((low_main + high_main) // 2)
    return _midpoint(low, high)


def _encode(value: int) -> str:
    digits = []
    for _ in range(6):
        value, rest = divmod(value, 36)
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits)).rstrip("0")


def _after(rank: str) -> str:
    """A rank one step below `rank` in the backlog, as Jira gives a newly created issue."""
    value = int(rank.ljust(6, "0")[:6], 36) + _RANK_STEP
    return _encode(value) if value < 36**6 else _midpoint(rank, None)


def _render_rank(rank: str) -> str:
    padded = rank.ljust(6, "0")
    return f"0|{padded[:6]}:{padded[6:]}"


# --- Text --------------------------------------------------------------------------------------


def _plain_text(raw: str | None) -> str | None:
    """The text of Jira wiki markup with heading and list markers removed."""
    if raw is None:
        return None
    lines = (re.sub(r"^(h[1-6]\.|[*#]+)\s+", "", line) for line in raw.split("\n"))
    return "\n".join(lines)


def _article(word: str) -> str:
    return "an" if word[0].lower() in "aeiou" else "a"


def _third_person(goal: str) -> str:
    goal = re.sub(r"\bmy\b", "their", goal)
    goal = re.sub(r"\bI am\b", "they are", goal)
    return re.sub(r"\bI\b", "they", goal)


# --- Simulation --------------------------------------------------------------------------------


@dataclass(eq=False)
class _Issue:
    """One work item as the simulation changes it; rendered into a row at each snapshot."""

    issue_type: str
    summary: str
    created: datetime
    reporter: str
    priority: str
    components: list[str]
    story: str | None = None  # what the description says once the item is described
    criteria: str | None = None  # the acceptance-criteria section added during refinement
    size: int | None = None  # the estimate the team gives it, None if the team never estimates it
    parent: _Issue | None = None
    labels: list[str] = field(default_factory=list)
    custom: dict[str, str] = field(default_factory=dict)
    level: int = 0  # 0: no description, 1: described, 2: described with acceptance criteria
    points: float | None = None
    estimate_seconds: int | None = None
    assignee: str | None = None
    fix_versions: list[str] = field(default_factory=list)
    sprints: list[int] = field(default_factory=list)
    updated: datetime | None = None
    resolved: datetime | None = None
    due: datetime | None = None
    rank: str = ""
    status: str = "Backlog"
    resolution: str | None = None
    pinned: bool = False  # a planted duplicate: never planned, so it stays for the whole history
    title: str | None = None  # a story's goal as a short title, what a follow-up refers to
    number: int = 0

    @property
    def category(self) -> str:
        return _STATUS_CATEGORY[self.status]

    @property
    def is_open_work(self) -> bool:
        return self.category != "Done" and self.issue_type not in ("Epic", "Sub-task")

    def description(self) -> str | None:
        if self.level == 0 or self.story is None:
            return None
        if self.level == 2 and self.criteria:
            return f"{self.story}\n\n{self.criteria}"
        return self.story

    def touch(self, when: datetime) -> None:
        self.updated = max(self.updated or when, when)


def _sprint_start(sprint: int) -> datetime:
    return FIRST_SPRINT_START + SPRINT_LENGTH * (sprint - 1)


def _snapshot_time(index: int) -> datetime:
    """When snapshot `index` is taken: the Monday morning that ends sprint `index`."""
    return _sprint_start(index + 1) - SNAPSHOT_LEAD


class _History:
    """The simulated life of one backlog; `snapshot(i)` observes it after sprint `i`."""

    def __init__(self, team: _Team, seed: int) -> None:
        self.team = team
        self.rng = random.Random(f"{seed}/{team.key}")
        self.issues: list[_Issue] = []
        self.links: list[tuple[_Issue, _Issue, str]] = []  # (from, to, type): from blocks/duplicates to
        self.completed: dict[int, datetime] = {}
        self.follow_ups: list[_Issue] = []  # finished items someone may file a follow-up for
        self.bottom = ""
        self.pools = {
            "Story": self._shuffled(team.stories),
            "Bug": self._shuffled(team.bugs),
            "Task": self._shuffled(team.tasks),
        }
        self.epics: list[_Issue] = []
        self.duplicates: list[tuple[_Duplicate, _Issue | None, _Issue | None]] = []
        self.next_number = 0
        self._populate()

    # -- helpers --

    def _shuffled(self, items: tuple) -> list:
        pool = list(items)
        self.rng.shuffle(pool)
        return pool

    def _append_rank(self) -> str:
        self.bottom = _after(self.bottom) if self.bottom else _encode(_RANK_BASE)
        return self.bottom

    def _add(self, issue: _Issue) -> _Issue:
        if not issue.rank:
            issue.rank = self._append_rank()
        if issue.updated is None:
            issue.updated = issue.created
        if issue.number == 0:  # new during the history: the next key, now and then with a gap
            self.next_number += 1 + (self.rng.randint(1, 3) if self.rng.random() < 0.15 else 0)
            issue.number = self.next_number
        self.issues.append(issue)
        return issue

    def _order(self) -> list[_Issue]:
        """Open work in rank order: what `assign_rank_positions` will call the backlog."""
        return sorted((i for i in self.issues if i.is_open_work), key=lambda i: i.rank)

    def _move(self, issue: _Issue, position: int) -> None:
        order = [i for i in self._order() if i is not issue]
        position = max(0, min(position, len(order)))
        if position == len(order):
            issue.rank = self._append_rank()
            return
        low = order[position - 1].rank if position else ""
        issue.rank = _between(low, order[position].rank)

    def _work_time(self, sprint: int, first_day: int = 0, last_day: int = 11) -> datetime:
        """A random working moment in `sprint` (Monday..Friday, 09:00..18:00, after planning)."""
        days = [d for d in range(first_day, last_day + 1) if d % 7 < 5]
        day = self.rng.choice(days)
        start = _sprint_start(sprint).replace(hour=9, minute=0) + timedelta(days=day)
        moment = start + timedelta(minutes=self.rng.randint(0, 9 * 60 - 1))
        return max(moment, _sprint_start(sprint) + timedelta(minutes=90))

    def _days_ago(self, low: float, high: float) -> timedelta:
        """A random span of `low` to `high` days, in whole minutes like Jira's timestamps."""
        return timedelta(minutes=self.rng.randint(int(low * 1440), int(high * 1440)))

    def _size(self, issue_type: str) -> int | None:
        weights = {
            "Story": ((1, 2, 3, 5, 8, 13), (4, 14, 24, 27, 19, 12)),
            "Task": ((1, 2, 3, 5, 8), (14, 26, 30, 20, 10)),
            "Bug": ((1, 2, 3, 5), (30, 32, 24, 14)),
        }[issue_type]
        if issue_type == "Bug" and self.rng.random() < 0.4:
            return None  # many bugs are fixed without ever being estimated
        return self.rng.choices(*weights)[0]

    def _priority(self, issue_type: str) -> str:
        names = ("Highest", "High", "Medium", "Low", "Lowest")
        weights = {"Bug": (8, 27, 43, 20, 2), "Story": (3, 20, 60, 15, 2), "Task": (2, 15, 60, 20, 3)}
        return self.rng.choices(names, weights[issue_type])[0]

    def _custom(self, issue_type: str, created: datetime) -> dict[str, str]:
        # The Team field was introduced in September 2025; older items only get it when refined.
        if created < datetime(2025, 9, 1) and self.rng.random() < 0.8:
            return {}
        return self.team.extra_fields(self.rng, issue_type)

    def _reporter(self, issue_type: str) -> str:
        if issue_type == "Story" or self.rng.random() < 0.35:
            return self.team.product_owner if self.rng.random() < 0.75 else self.rng.choice(self.team.reporters)
        return self.rng.choice(self.team.reporters)

    def _labels(self, issue_type: str, epic: int | None) -> list[str]:
        labels = self.team.labels
        chosen: list[str] = []
        if issue_type == "Task" and self.rng.random() < 0.5:
            chosen.append("tech-debt")
        if issue_type == "Bug" and self.rng.random() < 0.2:
            chosen.append("regression")
        if epic == 7 and self.rng.random() < 0.7:
            chosen.append("a11y")
        if self.rng.random() < 0.25:
            extra = self.rng.choice(labels)
            if extra not in chosen:
                chosen.append(extra)
        return chosen

    # -- creating items --

    def _new_item(self, issue_type: str, created: datetime) -> _Issue | None:
        """A fresh item of `issue_type` from the team's pool, or None when the pool is used up."""
        pool = self.pools[issue_type]
        if not pool:
            return None
        entry = pool.pop()
        rng, team = self.rng, self.team
        if issue_type == "Story":
            epic, component, role, goal, benefit = entry
            a = _article(role)
            summary = goal[0].upper() + goal[1:]
            if rng.random() < 0.15:
                summary = f"As {a} {role}, I want to {goal}"
            story = f"As {a} {role}, I want to {goal} so that {benefit}."
            if rng.random() < 0.55:
                story += "\n\n" + rng.choice(team.contexts)
            bullets = [f"{a.capitalize()} {role} can {_third_person(goal)}"]
            bullets += rng.sample(team.epic_criteria[epic], rng.randint(1, 2))
            bullets.append(rng.choice(team.criteria))
            criteria = "h3. Acceptance criteria\n" + "\n".join(f"* {b}" for b in bullets)
            parent = self.epics[epic]
        elif issue_type == "Bug":
            component, summary, steps, expected = entry
            story = f"{summary}. {rng.choice(team.bug_notes)}"
            step_lines = "\n".join(f"# {s}" for s in steps.split("; "))
            criteria = (
                f"h3. Steps to reproduce\n{step_lines}\n\nh3. Expected result\n{expected}.\n\n"
                f"h3. Actual result\n{summary}.\n\nh3. Acceptance criteria\n* {expected}\n"
                "* A regression test covers this case"
            )
            epic, parent = None, None
        else:
            component, summary, reason = entry
            story = reason if rng.random() < 0.6 else f"{reason} {rng.choice(team.contexts)}"
            bullets = rng.sample(team.task_criteria, 2)
            criteria = "h3. Acceptance criteria\n" + "\n".join(f"* {b}" for b in bullets)
            epic, parent = None, None
        return _Issue(
            issue_type=issue_type,
            summary=summary,
            created=created,
            reporter=self._reporter(issue_type),
            priority=self._priority(issue_type),
            components=[component],
            story=story,
            criteria=criteria,
            size=self._size(issue_type),
            parent=parent,
            labels=self._labels(issue_type, epic),
            custom=self._custom(issue_type, created),
            title=goal[0].upper() + goal[1:] if issue_type == "Story" else None,
            due=team.due_dates.get(summary),
        )

    def _follow_up(self, created: datetime) -> _Issue | None:
        """A follow-up to a finished item: how backlogs keep growing after a release."""
        if not self.follow_ups:
            return None
        origin = self.follow_ups.pop(self.rng.randrange(len(self.follow_ups)))
        phrase = self.rng.choice(
            (
                "handle the edge cases found after release",
                "second iteration based on feedback",
                "measure usage and tune",
                "roll out to the remaining countries",
                "clean up the temporary code",
                "polish from the design review",
                "fix the gaps found in the accessibility check",
                "improvements requested by customer care",
            )
        )
        issue = _Issue(
            issue_type="Story",
            summary=f"{origin.title}: {phrase}",
            created=created,
            reporter=self._reporter("Story"),
            priority="Medium",
            components=list(origin.components),
            story=f"Follow-up to {self._key(origin)}. {self.rng.choice(self.team.contexts)}",
            criteria="h3. Acceptance criteria\n* " + self.rng.choice(self.team.criteria),
            size=self.rng.choice((2, 3, 3, 5, 8)),
            parent=origin.parent,
            custom=self._custom("Story", created),
        )
        return issue

    def _arrival(self, created: datetime) -> _Issue | None:
        roll = self.rng.random()
        if roll < 0.32:
            kinds = ["Bug", "Task", "Story"]
        elif roll < 0.47:
            kinds = ["Task", "Story", "Bug"]
        else:
            kinds = ["Story", "Bug", "Task"]
        if self.rng.random() < 0.12:
            issue = self._follow_up(created)
            if issue is not None:
                return issue
        for kind in kinds:
            issue = self._new_item(kind, created)
            if issue is not None:
                return issue
        return self._follow_up(created)

    def _key(self, issue: _Issue) -> str:
        return f"{self.team.key}-{issue.number}"

    def _split(self, story: _Issue, when: datetime) -> None:
        """Break a story into sub-tasks, as a team does when it plans the work."""
        names = self.rng.sample(self.team.subtasks, self.rng.randint(*self.team.subtask_count))
        for name in names:
            self._add(
                _Issue(
                    issue_type="Sub-task",
                    summary=name,
                    created=when,
                    reporter=story.assignee or self.rng.choice(self.team.developers),
                    priority=story.priority,
                    components=list(story.components),
                    story=None,
                    parent=story,
                    custom=dict(story.custom),
                    estimate_seconds=3600 * self.rng.choice((2, 4, 4, 6, 8, 12, 16)),
                    assignee=self.rng.choice(self.team.developers) if self.rng.random() < 0.6 else story.assignee,
                    status=story.status if story.status != "Backlog" else "To Do",
                )
            )
            when += timedelta(minutes=self.rng.randint(1, 4))

    def _splittable(self, issue: _Issue) -> bool:
        """Stories of 2 points or more are worth breaking down into sub-tasks (if not done yet)."""
        return issue.issue_type == "Story" and (issue.points or 0) >= 2 and not self._subtasks(issue)

    def _subtasks(self, story: _Issue) -> list[_Issue]:
        return [i for i in self.issues if i.parent is story and i.issue_type == "Sub-task"]

    def _refine(self, issue: _Issue, when: datetime, *, assign: float) -> None:
        issue.level = 2
        if issue.points is None and issue.size is not None:
            issue.points = float(issue.size)
        if issue.assignee is None and self.rng.random() < assign:
            issue.assignee = self.rng.choice(self.team.developers)
        if not issue.custom:
            issue.custom = self.team.extra_fields(self.rng, issue.issue_type)
        issue.touch(when)

    # -- the starting backlog --

    def _populate(self) -> None:
        rng, team = self.rng, self.team
        now = _snapshot_time(0)
        specs: list[_Issue] = []
        for summary, component, description in team.epics:
            created = datetime(2025, 1, 13, 9) + timedelta(days=rng.randint(0, 300), minutes=rng.randint(0, 480))
            epic = _Issue(
                issue_type="Epic",
                summary=summary,
                created=created,
                reporter=team.product_owner,
                priority="Medium",
                components=[component],
                story=description,
                level=1,
                custom={"Team": team.team_field},
                status="To Do",
            )
            self.epics.append(epic)
            specs.append(epic)

        # Open work, best first. Older ideas sink to the bottom; the top was touched recently.
        open_items: list[_Issue] = []
        count = team.initial_open
        while len(open_items) < count:
            depth = len(open_items) / count
            age = self._days_ago(3, 60 + 420 * depth)
            kind = rng.choices(("Story", "Bug", "Task"), (60, 24, 16))[0]
            issue = self._new_item(kind, now - age)
            if issue is None:
                continue
            if issue.parent is not None:
                issue.created = max(issue.created, issue.parent.created + timedelta(days=rng.randint(1, 20)))
            open_items.append(issue)

        for position, issue in enumerate(open_items, start=1):
            depth = position / count
            if position <= 20:
                levels, estimated, assigned = (12, 28, 60), 0.7, 0.5
            elif position <= 50:
                levels, estimated, assigned = (20, 45, 35), 0.45, 0.2
            else:
                levels, estimated, assigned = (45, 45, 10), 0.1, 0.04
            issue.level = rng.choices((0, 1, 2), levels)[0]
            if issue.size is not None and rng.random() < estimated:
                issue.points = float(issue.size)
            if rng.random() < assigned:
                issue.assignee = rng.choice(team.developers)
            if issue.level or issue.points is not None:
                recent = now - self._days_ago(1, 15 + 200 * depth)
                issue.updated = max(issue.created + timedelta(hours=2), recent)
            else:
                issue.updated = issue.created + timedelta(minutes=rng.randint(5, 60 * 24 * 3))
            issue.updated = min(issue.updated, now - timedelta(hours=20))

        # Planted: big estimated stories nobody has broken down, and near-term items left to rot.
        stories = [i for i in open_items if i.issue_type == "Story"]
        for position in (8, 24, 41, 77):
            big = stories[min(position, len(stories) - 1)]
            big.size, big.points, big.level = 13, 13.0, max(big.level, 1)
        for position in (5, 16, 27):
            stale = open_items[position]
            stale.level, stale.points, stale.assignee = 1, None, None
            stale.created = now - timedelta(days=rng.randint(230, 320))
            if stale.parent is not None:
                stale.created = max(stale.created, stale.parent.created + timedelta(days=1))
            stale.updated = stale.created + timedelta(days=rng.randint(20, 60))

        # The team worked kanban-style before its first sprint: a few items are under way, a few
        # finished in the last weeks (the export keeps those).
        for issue in open_items[:4]:
            self._refine(issue, now - timedelta(days=rng.randint(2, 10)), assign=1.0)
            issue.status = "In Progress"
        finished = []
        for _ in range(18):
            kind = rng.choice(("Story", "Story", "Bug", "Task"))
            resolved = now - self._days_ago(3, 41)
            issue = self._new_item(kind, resolved - self._days_ago(15, 120))
            if issue is None:
                continue
            if issue.parent is not None:
                issue.created = max(issue.created, issue.parent.created + timedelta(days=1))
            self._refine(issue, resolved - timedelta(days=rng.randint(1, 9)), assign=1.0)
            issue.status, issue.resolution, issue.resolved = "Done", "Done", resolved
            issue.touch(resolved)
            finished.append(issue)
            if issue.title is not None:
                self.follow_ups.append(issue)

        # Planted duplicates sit in the middle of the backlog, where nobody looks twice.
        for dup in team.duplicates:
            reports = []
            for which, (summary, description) in enumerate((dup.first, dup.second)):
                if which == 1 and dup.arrives is not None:
                    reports.append(None)
                    continue
                reports.append(self._planted(dup, summary, description, now - timedelta(days=rng.randint(20, 200))))
            for report in reports:
                if report is not None:
                    open_items.insert(rng.randint(55, len(open_items) - 10), report)
            self.duplicates.append((dup, reports[0], reports[1]))

        # Ranks: finished work above everything, open work in priority order, then the rest.
        for n, issue in enumerate(finished):
            issue.rank = _encode(_RANK_BASE - (n + 1) * _RANK_STEP)
        for issue in open_items:
            issue.rank = self._append_rank()
        for epic in self.epics:
            epic.rank = self._append_rank()

        # Number everything in creation order, with the gaps real projects have.
        specs += open_items + finished
        specs.sort(key=lambda i: i.created)
        number = 0
        for issue in specs:
            number += 1 + (rng.randint(1, 6) if rng.random() < 0.3 else 0)
            issue.number = number
            self._add(issue)
        self.next_number = number

        # Near-term stories the team already broke down into sub-tasks.
        for issue in open_items[:60]:
            # Described work often has a technical breakdown before anyone estimates it.
            sized = issue.points is not None or issue.level == 2
            if sized and issue.issue_type == "Story" and issue.size in (3, 5, 8) and rng.random() < 0.85:
                self._split(issue, issue.updated)
        for issue in finished:
            if self._splittable(issue):
                self._split(issue, issue.updated - timedelta(days=rng.randint(4, 8)))
                for sub in self._subtasks(issue):
                    sub.status, sub.resolution = "Done", "Done"
                    sub.resolved = issue.resolved - timedelta(hours=rng.randint(2, 60))
                    sub.touch(sub.resolved)
        for issue in open_items[:4]:
            if issue.issue_type == "Story" and not self._subtasks(issue):
                self._split(issue, issue.updated)
            for n, sub in enumerate(self._subtasks(issue)):
                sub.status = "Done" if n == 0 else "In Progress" if n == 1 else "To Do"
                if sub.status == "Done":
                    sub.resolution, sub.resolved = "Done", issue.updated
                    sub.touch(issue.updated)

        # Some work depends on other work.
        for _ in range(6):
            self._add_block(now - timedelta(days=rng.randint(5, 60)), open_items[4:90])
        for dup, first, second in self.duplicates:
            if dup.linked and first is not None and second is not None:
                self.links.append((second, first, "Duplicate"))
        self._update_epics(now)

    def _planted(self, dup: _Duplicate, summary: str, description: str, created: datetime) -> _Issue:
        return _Issue(
            issue_type=dup.issue_type,
            summary=summary,
            created=created,
            reporter=self._reporter(dup.issue_type),
            priority="Medium",
            components=[dup.component],
            story=description,
            level=1,
            size=self._size(dup.issue_type) if dup.issue_type != "Bug" else 2,
            parent=self.epics[dup.epic] if dup.issue_type == "Story" else None,
            custom=self._custom(dup.issue_type, created),
            updated=created + timedelta(hours=self.rng.randint(1, 30)),
            pinned=True,
        )

    def _add_block(self, when: datetime, candidates: list[_Issue]) -> None:
        candidates = [i for i in candidates if i.is_open_work and not i.pinned]
        if len(candidates) < 2:
            return
        blocker, blocked = sorted(self.rng.sample(candidates, 2), key=lambda i: i.rank)
        if any(a is blocker and b is blocked for a, b, _ in self.links):
            return
        self.links.append((blocker, blocked, "Blocks"))
        blocker.touch(when)
        blocked.touch(when)

    def _is_blocked(self, issue: _Issue) -> bool:
        return any(b is issue and t == "Blocks" and a.category != "Done" for a, b, t in self.links)

    def _update_epics(self, when: datetime) -> None:
        for epic in self.epics:
            children = [i for i in self.issues if i.parent is epic]
            started = any(c.category != "To Do" for c in children)
            status = "In Progress" if started else "To Do"
            if status != epic.status:
                epic.status = status
                epic.touch(when)

    # -- one sprint --

    def run_sprint(self, sprint: int) -> None:
        rng, team = self.rng, self.team
        start = _sprint_start(sprint)
        planning = start + timedelta(minutes=rng.randint(20, 75))
        if sprint > 1:
            self.completed[sprint - 1] = start + timedelta(minutes=rng.randint(3, 15))

        # Planning: unfinished work carries over, then the top of the backlog is pulled in.
        committed = 0.0
        for issue in self._order():
            carried = issue.sprints[-1] == sprint - 1 if issue.sprints else issue.status == "In Progress"
            if carried:
                issue.sprints.append(sprint)
                issue.touch(planning)
                committed += issue.points or 0
        target = team.velocity[sprint - 1] * rng.uniform(1.15, 1.35)
        for issue in self._order():
            if committed >= target:
                break
            if sprint in issue.sprints or issue.pinned or self._is_blocked(issue):
                continue
            if rng.random() < team.grooming[sprint - 1] * 0.7:  # a team that skips refinement plans sloppily too
                self._refine(issue, planning, assign=1.0)
            if issue.points is None and issue.size is not None:
                issue.points = float(issue.size)
            if issue.assignee is None:
                issue.assignee = rng.choice(team.developers)
            issue.sprints.append(sprint)
            issue.status = "To Do"
            issue.fix_versions = [team.release(sprint)]
            issue.touch(planning)
            committed += issue.points if issue.points is not None else 2
            if self._splittable(issue) and rng.random() < (0.4 if issue.points == 13 else 0.9):
                self._split(issue, planning + timedelta(minutes=30))

        # Life during the sprint: new work arrives, the product owner re-ranks, the team refines.
        for _ in range(rng.randint(*team.arrivals)):
            self._arrive(sprint)
        for dup, first, second in list(self.duplicates):
            if dup.arrives == sprint and second is None:
                created = self._work_time(sprint, 1, 8)
                second = self._add(self._planted(dup, *dup.second, created))
                self._move(second, rng.randint(50, max(51, len(self._order()) - 20)))
                self.duplicates[self.duplicates.index((dup, first, None))] = (dup, first, second)
        self._rerank(sprint)
        if sprint in team.reshuffles:
            self._reshuffle(sprint, team.reshuffles[sprint])
        self._groom(sprint)
        if sprint % 3 == 0:
            self._add_block(self._work_time(sprint), self._order()[10:100])
        if sprint == team.cleanup[0]:
            self._clean_up(sprint, team.cleanup[1])
        for dup, _first, second in self.duplicates:
            if dup.closed == sprint and second is not None and second.category != "Done":
                when = self._work_time(sprint, 2, 9)
                second.status, second.resolution, second.resolved = "Closed", "Duplicate", when
                second.touch(when)

        self._work(sprint)
        self._update_epics(_snapshot_time(sprint) - timedelta(days=3))

    def _arrive(self, sprint: int) -> None:
        rng = self.rng
        created = self._work_time(sprint)
        issue = self._arrival(created)
        if issue is None:
            return
        issue.updated = created
        roll = rng.random()
        if issue.issue_type == "Bug":
            issue.level = rng.choices((0, 1, 2), (25, 50, 25))[0]
        else:
            issue.level = rng.choices((0, 1, 2), (40, 50, 10))[0]
        if issue.size is not None and rng.random() < 0.15:
            issue.points = float(issue.size)
        self._add(issue)
        order = self._order()
        in_sprint = sum(1 for i in order if sprint in i.sprints)
        if issue.issue_type == "Bug" and issue.priority in ("Highest", "High"):
            self._move(issue, rng.randint(1, in_sprint + 6))
            if issue.priority == "Highest" or rng.random() < 0.4:  # scope creep: fixed right away
                issue.sprints.append(sprint)
                issue.status = "To Do"
                issue.assignee = rng.choice(self.team.developers)
                issue.fix_versions = [self.team.release(sprint)]
        elif roll < 0.13:
            self._move(issue, in_sprint + rng.randint(0, 14))  # the product owner's new favourite
        elif roll < 0.45:
            self._move(issue, rng.randint(25, len(order)))
        # else: it stays where Jira puts new issues, at the bottom

    def _rerank(self, sprint: int) -> None:
        rng = self.rng
        for _ in range(rng.randint(2, 5)):
            order = self._order()
            in_sprint = sum(1 for i in order if sprint in i.sprints)
            movable = [i for i in order[in_sprint:] if not i.pinned]
            if rng.random() < 0.6:
                candidates = movable[22:140]
                if candidates:
                    issue = rng.choice(candidates)
                    self._move(issue, in_sprint + rng.randint(0, 15))
                    issue.touch(self._work_time(sprint))
            else:
                candidates = movable[:20]
                if candidates:
                    issue = rng.choice(candidates)
                    self._move(issue, in_sprint + rng.randint(35, 120))
                    issue.touch(self._work_time(sprint))

    def _reshuffle(self, sprint: int, epics: tuple[int, ...]) -> None:
        """A change of plan: whole epics jump to the top, part of the old top sinks."""
        rng = self.rng
        when = self._work_time(sprint, 2, 4)
        order = self._order()
        in_sprint = sum(1 for i in order if sprint in i.sprints)
        old_top = [i for i in order[in_sprint : in_sprint + 20] if not i.pinned]
        promoted = [
            i
            for i in order[in_sprint:]
            if i.parent is not None and i.parent in [self.epics[e] for e in epics] and not i.pinned
        ][:14]
        for offset, issue in enumerate(promoted):
            self._move(issue, in_sprint + offset)
            issue.touch(when)
        for issue in rng.sample(old_top, min(6, len(old_top))):
            if issue not in promoted:
                self._move(issue, in_sprint + rng.randint(40, 150))
                issue.touch(when)

    def _groom(self, sprint: int) -> None:
        """Backlog refinement: how much of the near term gets ready depends on the sprint."""
        rng = self.rng
        effort = self.team.grooming[sprint - 1]
        when = self._work_time(sprint, 8, 10)
        upcoming = [i for i in self._order() if sprint not in i.sprints and not i.pinned and i.created < when][:35]
        for position, issue in enumerate(upcoming):
            chance = effort * (1.0 if position < 12 else 0.6 if position < 24 else 0.3)
            if rng.random() < chance:
                self._refine(issue, when, assign=0.55)
                if self._splittable(issue) and issue.points != 13 and rng.random() < 0.85:
                    self._split(issue, when)
            elif rng.random() < chance / 2 and issue.level == 0:
                issue.level = 1
                issue.touch(when)

    def _clean_up(self, sprint: int, count: int) -> None:
        """The product owner closes long-untouched ideas from the bottom of the backlog."""
        when = self._work_time(sprint, 7, 9)
        order = self._order()
        stale = [
            i
            for i in order[60:]
            if not i.pinned and i.level < 2 and i.updated is not None and when - i.updated > timedelta(days=150)
        ]
        for issue in stale[-count:]:
            issue.status, issue.resolution, issue.resolved = "Closed", "Won't Do", when
            issue.touch(when)

    def _work(self, sprint: int) -> None:
        """The team finishes what fits its velocity this sprint; the rest carries over."""
        rng = self.rng
        velocity = max(20, min(34, self.team.velocity[sprint - 1] + rng.randint(-2, 2)))
        items = [i for i in self._order() if sprint in i.sprints]
        finished, done_points = [], 0.0
        for issue in items:
            if rng.random() < 0.07:
                continue  # stuck: waiting for another team
            if issue.points is None:
                if rng.random() < 0.8:
                    finished.append(issue)
            elif done_points + issue.points <= velocity:
                finished.append(issue)
                done_points += issue.points
        if done_points < 20:
            for issue in sorted((i for i in items if i not in finished and i.points), key=lambda i: i.points or 0):
                if done_points + (issue.points or 0) <= 35:
                    finished.append(issue)
                    done_points += issue.points or 0
                if done_points >= 20:
                    break

        end = _snapshot_time(sprint) - timedelta(hours=3)
        times = sorted(self._work_time(sprint, 1, 11) for _ in finished)
        for issue, when in zip(sorted(finished, key=lambda i: i.rank), times, strict=True):
            earliest = max(issue.created, _sprint_start(sprint)) + timedelta(hours=2)
            when = min(max(when, earliest), end)
            for sub in self._subtasks(issue):
                if sub.category != "Done":
                    sub_when = max(sub.created + timedelta(minutes=30), when - timedelta(hours=rng.randint(1, 30)))
                    sub.status, sub.resolution, sub.resolved = "Done", "Done", min(sub_when, when)
                    sub.touch(sub.resolved)
            issue.status, issue.resolution, issue.resolved = "Done", "Done", when
            issue.level = max(issue.level, 1)
            issue.touch(when)
            if issue.title is not None:
                self.follow_ups.append(issue)

        unfinished = [i for i in items if i not in finished]
        for n, issue in enumerate(unfinished):
            if n < 3 or issue.status == "In Progress":
                issue.status = "In Review" if rng.random() < 0.3 else "In Progress"
                issue.touch(self._work_time(sprint, 3, 11))
                subs = self._subtasks(issue)
                for sub in subs[: len(subs) // 2]:
                    if sub.category != "Done":
                        when = max(sub.created + timedelta(hours=1), self._work_time(sprint, 2, 10))
                        sub.status, sub.resolution, sub.resolved = "Done", "Done", when
                        sub.touch(when)
                for sub in subs[len(subs) // 2 :]:
                    if sub.category == "To Do" and rng.random() < 0.5:
                        sub.status = "In Progress"
                        sub.touch(self._work_time(sprint, 3, 11))

    # -- observing --

    def _sprint_name(self, sprint: int) -> str:
        return f"{self.team.key} Sprint {sprint}"

    def snapshot(self, index: int, source_name: str) -> Snapshot:
        taken_at = _snapshot_time(index)
        visible = [i for i in self.issues if i.created <= taken_at and self._exported(i, taken_at)]
        visible.sort(key=lambda i: -i.number)  # Jira's default order: newest first
        rows = [self._row(n, issue) for n, issue in enumerate(visible, start=1)]
        items = pd.DataFrame(rows, columns=list(ITEM_COLUMNS))
        items = items.astype(
            {
                "row_number": "int32",
                "story_points": "float64",
                "original_estimate_seconds": "Int64",
                "is_subtask": "bool",
                "is_epic": "bool",
                "created": "datetime64[us]",
                "updated": "datetime64[us]",
                "resolved": "datetime64[us]",
                "due": "datetime64[us]",
            }
        )
        items = assign_rank_positions(items)

        present = {id(i) for i in visible}
        link_rows = []
        for source, target, link_type in self.links:
            if id(source) in present:
                link_rows.append((self._key(source), self._key(target), link_type, "outward"))
            if id(target) in present:
                link_rows.append((self._key(target), self._key(source), link_type, "inward"))
        links = pd.DataFrame(link_rows, columns=list(LINK_COLUMNS))

        sprint_rows = []
        for sprint in range(1, min(SPRINT_COUNT, index + 2) + 1):
            if sprint < index:
                state, complete = "closed", self.completed[sprint]
            elif sprint == index:
                state, complete = "active", None
            else:
                state, complete = "future", None
            started = state != "future"
            sprint_rows.append(
                (
                    self._sprint_name(sprint),
                    state,
                    _sprint_start(sprint) if started else None,
                    _sprint_start(sprint) + SPRINT_LENGTH if started else None,
                    complete,
                )
            )
        sprints = pd.DataFrame(sprint_rows, columns=list(SPRINT_COLUMNS)).astype(
            {"start_date": "datetime64[us]", "end_date": "datetime64[us]", "complete_date": "datetime64[us]"}
        )
        return Snapshot(
            backlog=self.team.key,
            taken_at=taken_at,
            source_kind="demo",
            source_name=source_name,
            items=items,
            links=links,
            sprints=sprints,
            source_rows=len(items),
        )

    @staticmethod
    def _exported(issue: _Issue, taken_at: datetime) -> bool:
        """The export's filter: open work, epics, and what was resolved in the last weeks."""
        if issue.category != "Done" or issue.issue_type == "Epic":
            return True
        return issue.resolved is not None and taken_at - issue.resolved <= DONE_WINDOW

    def _row(self, row_number: int, issue: _Issue) -> dict[str, object]:
        raw = issue.description()
        sprints = issue.parent.sprints if issue.issue_type == "Sub-task" and issue.parent else issue.sprints
        return {
            "row_number": row_number,
            "key": self._key(issue),
            "issue_id": str(self.team.id_offset + issue.number),
            "project_key": self.team.key,
            "summary": issue.summary,
            "description_raw": raw,
            "description_text": _plain_text(raw),
            "issue_type": issue.issue_type,
            "is_subtask": issue.issue_type == "Sub-task",
            "is_epic": issue.issue_type == "Epic",
            "status": issue.status,
            "status_category": issue.category,
            "resolution": issue.resolution,
            "story_points": issue.points,
            "original_estimate_seconds": issue.estimate_seconds,
            "assignee": issue.assignee,
            "reporter": issue.reporter,
            "priority": issue.priority,
            "labels": list(issue.labels),
            "components": list(issue.components),
            "fix_versions": list(issue.fix_versions),
            "sprints": [self._sprint_name(s) for s in sprints],
            "parent_key": self._key(issue.parent) if issue.parent is not None else None,
            "created": issue.created,
            "updated": issue.updated,
            "resolved": issue.resolved,
            "due": issue.due,
            "rank": _render_rank(issue.rank),
            "is_backlog": None,
            "rank_position": None,
            "custom_fields": dict(issue.custom) if issue.custom else None,
        }


# --- Public API --------------------------------------------------------------------------------


def demo_snapshots(seed: int = 7) -> list[Snapshot]:
    """The demo history: one snapshot per sprint boundary of each demo backlog.

    The same seed always gives the same content, so loading the demo twice stores nothing new.
    Snapshots come ordered by backlog, then time.
    """
    source_name = f"demo (seed {seed})"
    snapshots = []
    for team in _TEAMS:
        history = _History(team, seed)
        snapshots.append(history.snapshot(0, source_name))
        for sprint in range(1, SPRINT_COUNT + 1):
            history.run_sprint(sprint)
            snapshots.append(history.snapshot(sprint, source_name))
    return sorted(snapshots, key=lambda s: (s.backlog, s.taken_at))

