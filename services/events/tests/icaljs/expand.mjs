// Reads an iCalendar feed on stdin and prints every occurrence as ical.js (Thunderbird's parser) sees it.
// It uses only the VTIMEZONE in the feed to place local times, so a wrong VTIMEZONE shows up as a wrong UTC time.
// Given a JSON array of feeds instead, it prints an array of answers: one node process for many feeds.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const input = readFileSync(0, "utf8");
const answer = input.startsWith("[") ? JSON.parse(input).map(expand) : expand(input);
process.stdout.write(JSON.stringify(answer));

function expand(text) {
  // Each DTSTART;TZID finds its zone among this calendar's VTIMEZONEs (ical.js 2 looks there first);
  // nothing is registered globally, so one feed's zone can never stand in for another's.
  const calendar = new ICAL.Component(ICAL.parse(text));
  const masters = new Map();
  const exceptions = [];
  for (const component of calendar.getAllSubcomponents("vevent")) {
    // Given no exceptions, ICAL.Event relates every RECURRENCE-ID VEVENT of the calendar, whatever its UID:
    // two meetings with an override at the same local time would share it. Related by UID below instead,
    // as Thunderbird does (it groups a feed's VEVENTs by UID itself).
    const event = new ICAL.Event(component, { strictExceptions: true, exceptions: [] });
    if (event.isRecurrenceException()) exceptions.push(event);
    else masters.set(event.uid, event);
  }
  for (const exception of exceptions) masters.get(exception.uid).relateException(exception);

  const occurrences = [];
  for (const event of masters.values()) {
    const details = [];
    if (event.isRecurring()) {
      const iterator = event.iterator();
      for (let next = iterator.next(); next; next = iterator.next()) details.push(event.getOccurrenceDetails(next));
    } else {
      details.push({ item: event, startDate: event.startDate, endDate: event.endDate, recurrenceId: null });
    }
    for (const { item, startDate, endDate, recurrenceId } of details) {
      occurrences.push({
        uid: item.uid,
        summary: item.summary,
        status: item.component.getFirstPropertyValue("status"),
        sequence: item.sequence,
        local: startDate.toString(),
        tzid: startDate.zone ? startDate.zone.tzid : null,
        utc: new Date(startDate.toUnixTime() * 1000).toISOString(),
        end_utc: new Date(endDate.toUnixTime() * 1000).toISOString(),
        recurrence_id: recurrenceId ? recurrenceId.toString() : null,
      });
    }
  }
  return { events: calendar.getAllSubcomponents("vevent").length, occurrences };
}
