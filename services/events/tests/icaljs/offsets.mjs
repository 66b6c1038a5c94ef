// Reads a JSON array of {vtimezone, locals} on stdin: for each, the VTIMEZONE's text and local wall-clock
// times ("2027-03-28T03:30:00"). Prints, per item, each local time's UTC instant (seconds since 1970) as
// ical.js (Thunderbird's parser) places it with that VTIMEZONE alone: what it does with a DTSTART;TZID=….
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const jobs = JSON.parse(readFileSync(0, "utf8"));
const answers = jobs.map(({ vtimezone, locals }) => {
  const zone = new ICAL.Timezone(new ICAL.Component(ICAL.parse(vtimezone)));
  return locals.map((text) => {
    const time = ICAL.Time.fromDateTimeString(text);
    time.zone = zone;
    return time.toUnixTime();
  });
});
process.stdout.write(JSON.stringify(answers));
