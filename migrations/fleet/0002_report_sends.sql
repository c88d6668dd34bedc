-- The scheduled fleet report (src/fleet/report-job.ts): the agents named to send it (fleet.report in their
-- config) each try to claim the period here; the first claim wins, so the fleet gets one email per period
-- however many agents are named (name two or three, so one being down does not skip a day).
CREATE TABLE fleet_report_sends (
  period_end  timestamptz PRIMARY KEY,   -- the scheduled instant the report is for
  host        text        NOT NULL,      -- the agent that sends it
  claimed_at  timestamptz NOT NULL DEFAULT now()
);
