"""Twilio's official Python client (twilio 9) against a running twilio-sim.

Starts nothing: run.sh starts the simulator and seeds it. Reads
TWILIO_SIM_BASE_URL, TWILIO_SIM_ACCOUNT_SID, TWILIO_SIM_AUTH_TOKEN, TWILIO_SIM_NUMBER and
TWILIO_SIM_MIN_HISTORY (how many seeded messages to expect at least) from the environment.
Exits non-zero if any check fails and prints `python-client: N passed, M failed`.
"""

import json
import os
import sys
import traceback
import urllib.request
from datetime import datetime, timedelta, timezone

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

BASE_URL = os.environ["TWILIO_SIM_BASE_URL"].rstrip("/")
ACCOUNT_SID = os.environ["TWILIO_SIM_ACCOUNT_SID"]
AUTH_TOKEN = os.environ["TWILIO_SIM_AUTH_TOKEN"]
NUMBER = os.environ["TWILIO_SIM_NUMBER"]
MIN_HISTORY = int(os.environ.get("TWILIO_SIM_MIN_HISTORY", "5000"))
PATIENT = "+15557770001"

client = Client(ACCOUNT_SID, AUTH_TOKEN)
# Every v2010 resource resolves its URL through this domain's base_url.
client.api.base_url = BASE_URL


def ground_truth():
    with urllib.request.urlopen(f"{BASE_URL}/_sim/messages") as response:
        return json.load(response)["messages"]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def test_account_and_numbers():
    account = client.api.v2010.accounts(ACCOUNT_SID).fetch()
    check(account.status == "active", f"account status {account.status}")
    check(account.sid == ACCOUNT_SID, "account sid")
    numbers = client.incoming_phone_numbers.list(phone_number=NUMBER)
    check([n.phone_number for n in numbers] == [NUMBER], f"numbers {numbers}")


def test_send_and_fetch():
    message = client.messages.create(to=PATIENT, from_=NUMBER, body="Python client check ✓")
    check(message.sid.startswith("SM") and len(message.sid) == 34, f"sid {message.sid}")
    check(message.status == "queued", f"status {message.status}")
    check(message.num_segments == "1", f"segments {message.num_segments}")
    check(isinstance(message.date_created, datetime), "date_created parsed")
    fetched = client.messages(message.sid).fetch()
    check(fetched.sid == message.sid and fetched.body == "Python client check ✓", "fetch")


def test_errors_raise_twilio_exceptions():
    for to, code in [("+15005550001", 21211), ("not-a-number", 21211), ("+15005550009", 21614)]:
        try:
            client.messages.create(to=to, from_=NUMBER, body="x")
        except TwilioRestException as error:
            check(error.status == 400 and error.code == code, f"{to}: {error.status} {error.code}")
        else:
            raise AssertionError(f"{to} was accepted")
    try:
        client.messages("SM00000000000000000000000000000000").fetch()
    except TwilioRestException as error:
        check(error.status == 404 and error.code == 20404, f"404: {error.code}")
    else:
        raise AssertionError("unknown SID was found")
    bad = Client(ACCOUNT_SID, "wrong-token")
    bad.api.base_url = BASE_URL
    try:
        bad.messages.create(to=PATIENT, from_=NUMBER, body="x")
    except TwilioRestException as error:
        check(error.status == 401 and error.code == 20003, f"401: {error.code}")
    else:
        raise AssertionError("wrong token was accepted")
    # A failed page fetch is reported as a plain TwilioException carrying the response.
    try:
        bad.messages.list(limit=1)
    except TwilioException as error:
        check("20003" in str(error) and "401" in str(error), f"list 401: {error}")
    else:
        raise AssertionError("wrong token could list")


def test_filters():
    truth = [m for m in ground_truth() if m["date_sent"]]
    sample = truth[len(truth) // 2]
    patient = sample["to"] if sample["direction"] != "inbound" else sample["from"]
    to_patient = client.messages.list(to=patient, page_size=100)
    check(to_patient and all(m.to == patient for m in to_patient), "to filter")
    from_patient = client.messages.list(from_=patient, page_size=100)
    check(all(m.from_ == patient for m in from_patient), "from filter")
    expected = sum(1 for m in truth if patient in (m["to"], m["from"]))
    check(len(to_patient) + len(from_patient) == expected, "to + from covers the patient")

    day = datetime.strptime(sample["date_sent"], "%a, %d %b %Y %H:%M:%S %z").astimezone(timezone.utc)
    midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)
    on_day = client.messages.list(date_sent=midnight, page_size=1000)
    check(on_day and all(m.date_sent.date() == midnight.date() for m in on_day), "date_sent")
    after = client.messages.list(date_sent_after=midnight + timedelta(hours=13), page_size=1000)
    check(all(m.date_sent.date() >= midnight.date() for m in after), "date_sent_after")
    before = client.messages.list(date_sent_before=midnight, page_size=1000)
    check(all(m.date_sent.date() <= midnight.date() for m in before), "date_sent_before")
    # Texts this run just sent get their date_sent while we list; count only the settled history.
    settled = lambda messages: {m.sid for m in messages if PATIENT not in (m.to, m.from_)}
    history = {m["sid"] for m in truth if PATIENT not in (m["to"], m["from"])}
    check(settled(before) | settled(after) == history, "before + after = all sent")
    check(settled(before) & settled(after) == settled(on_day), "before & after = on day")


def test_stream_whole_history():
    expected = len(ground_truth())
    check(expected >= MIN_HISTORY, f"only {expected} messages seeded")
    sids = []
    previous = None
    for message in client.messages.stream(page_size=1000):
        sids.append(message.sid)
        stamp = message.date_sent or message.date_created
        check(previous is None or stamp <= previous, "newest first")
        previous = stamp
    check(len(sids) == len(set(sids)), f"{len(sids) - len(set(sids))} duplicate SIDs")
    check(len(sids) == expected, f"streamed {len(sids)} of {expected}")
    listed = client.messages.list(limit=2500, page_size=1000)
    check(len(listed) == 2500 and len({m.sid for m in listed}) == 2500, "list with limit")


TESTS = [
    test_account_and_numbers,
    test_send_and_fetch,
    test_errors_raise_twilio_exceptions,
    test_filters,
    test_stream_whole_history,
]


def main():
    passed = failed = 0
    for test in TESTS:
        try:
            test()
        except Exception:  # every failure is reported, then the run goes on
            failed += 1
            print(f"FAIL {test.__name__}", file=sys.stderr)
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok   {test.__name__}")
    print(f"python-client: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
