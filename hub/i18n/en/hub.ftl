# Shopfloor hub: the web interface, in English.
# Ids: hub- for the interface, err- for a problem, rec- for the suggested fix.

-brand = Shopfloor

## Frame

hub-brand = { -brand } hub
hub-skip = Skip to the content
hub-language = Language:
hub-role-admin = admin
hub-role-viewer = viewer
hub-logout = Log out
hub-nav-label = Main menu
hub-nav-overview = Overview
hub-nav-dashboards = Dashboards
hub-nav-map = Map
hub-nav-trends = Trends
hub-nav-tables = Tables
hub-nav-formations = Labor formations
hub-nav-verification = Verification
hub-nav-enrollments = Enrollment requests
hub-nav-children = Chapters and regions
hub-nav-completeness = Completeness
hub-footer = { -brand } holds only aggregates: no member is ever named here.
hub-back-overview = Back to the overview
hub-error-title = Something went wrong

## Login

hub-login-title = Log in
hub-login-name = User name
hub-login-password = Password
hub-login-submit = Log in
hub-login-hint = Ask an admin of this hub for an account. Sessions last twelve hours.

## Overview

hub-overview-title = Overview
hub-overview-this-hub = This hub
hub-overview-level = Level
hub-level-national = National hub
hub-level-regional = Regional hub
hub-fingerprint = Fingerprint
hub-overview-parent = Parent hub
hub-parent-enrolled = Enrolled at { $url }
hub-parent-pending = Waiting for approval at { $url }
hub-parent-none = Not enrolled at a parent hub yet
hub-overview-children = Children
hub-status-active = Active
hub-status-revoked = Revoked
hub-overview-pending = Waiting for approval
hub-overview-latest = Latest period
hub-period = Period
hub-overview-reporting = Reporting
hub-overview-reported = { $reported } of { $expected } expected reports received
hub-overview-members = Members
hub-overview-workplaces = Workplaces mapped
hub-overview-see-dashboards = See the dashboards
hub-overview-see-map = See the map
hub-overview-log = Transparency log
hub-log-size = Entries
hub-log-root = Root hash
hub-log-time = Signed at
hub-overview-see-verification = See verification
hub-no-reports = No reports have been received yet.
hub-viewer-rule = You see a number only when at least { $chapters } chapters contribute to it and no single chapter makes up { $share } or more of it. Other numbers, and any number from which one of them could be worked out, read “not shown to protect chapter numbers”.
hub-not-published = The figures for this period have not been published yet. A hub publishes a period once, when every chapter and regional hub has reported or at the reporting deadline.
hub-not-published-short = not yet published
hub-publication-shown = Published figures: publication { $sequence } of this period, { $date }. They do not change until the next publication.
hub-publication-live = Live figures (admins only): viewers see only the period’s publications, never these live sums.
hub-publication-rule = A report that arrives or is corrected after a publication goes into a new publication only when that cannot single out a chapter; otherwise it is held back and is not shown for this period.

## Dashboards

hub-dashboards-title = Dashboards
hub-show = Show
hub-trail-label = Where you are
hub-trail-top = All of { $hub }
hub-chapter-view = This is a single chapter's report, seen by admins only.
hub-chart-totals = { $metric }, period by period
hub-chart-ladder = The organizing ladder: workplaces by stage
hub-chart-density = Union density: members by union status
hub-chart-goals = Goals against progress
hub-chart-empty = No numbers for this chart in this period.
hub-chart-desc-bars = { $count ->
    [one] One bar, with its number written next to it.
   *[other] { $count } bars, each with its number written next to it.
}
hub-chart-desc-funnel = { $count ->
    [one] A funnel with one stage and its number.
   *[other] A funnel of { $count } stages, from the first to the last, each with its number.
}
hub-chart-desc-periods = { $count ->
    [one] One period, with its total.
   *[other] { $count } periods, oldest first, each with its total.
}
hub-chart-desc-goals = Each goal is an outlined bar, filled as far as the progress so far, with the numbers written below.
hub-goals-none = No goals have been published in guidance.
hub-goal-progress = { $value } of { $target } ({ $percent }) by { $date }
hub-goal-by = target date { $date }
hub-goal-own = Set by this hub
hub-goal-from = Set by { $name }, relayed
hub-goal-stock = as of { $period }
hub-goal-per-period = sum of each month, { $from } to { $until }
hub-goal-to-date = growth from { $from } to { $until }
hub-goal-state-sum = chapters in { $state }
hub-goal-elsewhere = outside this hub's area
hub-goal-unpublished = not published for viewers (a sum of single chapters)
hub-col-goal-series = Month by month
hub-show-table = Show as a table
hub-col-category = Category
hub-col-value = Number
hub-col-goal = Goal
hub-col-progress = Progress
hub-drill-title = Look closer
hub-col-name = Name
hub-col-kind = Kind
hub-col-chapters = Chapters
hub-kind-chapter = Chapter
hub-kind-regional = Regional hub
hub-kind-national = National hub
hub-at-least = at least { $count }
hub-training-unnamed = “{ $code }” (a chapter’s own training)
hub-suppressed = withheld by the chapter
hub-withheld = not shown to protect chapter numbers

## Map

hub-map-title = Map of states
## Tables: every metric, every table (/ui/tables), and the CSV
hub-tables-title = Tables
hub-tables-intro = Every table of one metric at this level: its total month by month, each breakdown, and each chapter or region below it. Download any of it as a spreadsheet.
hub-tables-total = total
hub-tables-now = Total for { $period }: { $total }
hub-tables-change-month = { $change } since last month
hub-tables-change-year = { $change } since January
hub-tables-breakdowns = Breakdowns
hub-tables-grid-note = A blank cell means nobody reported any: zero.
hub-tables-drill = Below this level
hub-tables-downloads = Download (CSV, opens in any spreadsheet)
hub-tables-csv-this = This metric, this month
hub-tables-csv-all-metrics = Every metric, this month
hub-tables-csv-all-periods = This metric, every month
hub-csv-period = Month
hub-csv-level = Level
hub-csv-metric = Metric
hub-csv-metric-code = Metric code
hub-csv-dim1 = Breakdown 1
hub-csv-value1-code = Code 1
hub-csv-value1 = Category 1
hub-csv-dim2 = Breakdown 2
hub-csv-value2-code = Code 2
hub-csv-value2 = Category 2
hub-csv-count = Count
hub-csv-status = Shown as
hub-csv-status-exact = exact
hub-csv-status-at-least = at least (some chapters withheld their count)
hub-csv-status-suppressed = withheld by the chapter
hub-csv-status-withheld = not shown to protect chapter numbers
## Trends (/ui/trends)
hub-trends-title = Trends
hub-trends-intro = Every metric's total, month by month, at this level. Open one to see all its tables.
hub-trends-mark-corrected = * A chapter rebuilt its report for this month after the month closed: some of its counts are from a later date.
hub-trends-mark-late = † At least one report for this month arrived after the deadline.
hub-trends-open = All tables
## Labor formations (/ui/formations)
hub-formations-title = Labor formations
hub-formations-intro = A labor formation in every local: which chapters have a labor committee, a delegate to their Central Labor Council, and bylaws that provide for labor work, as each chapter's latest report says.
hub-formations-count-committee = { $count } of { $total } { $total ->
    [one] chapter has
   *[other] chapters have
} a labor committee
hub-formations-count-delegate = { $count } of { $total } { $total ->
    [one] chapter has
   *[other] chapters have
} a Central Labor Council delegate
hub-formations-count-bylaws = { $count } of { $total } { $total ->
    [one] chapter has
   *[other] chapters have
} bylaws that provide for labor work
hub-formations-count-all = { $count } of { $total } { $total ->
    [one] chapter has
   *[other] chapters have
} all three
hub-formations-count-withheld = Not shown: { $total } chapters reported here this month, fewer than 3.
hub-formations-viewer = Counts only, over the chapters that reported this month; no chapter is listed.
hub-formations-caption = Chapters, this month's reports first
hub-formations-col-within = Region
hub-formations-col-committee = Labor committee
hub-formations-col-delegate = CLC delegate
hub-formations-col-bylaws = Bylaws
hub-formations-col-last = Last report
hub-formations-col-status = This month
hub-formations-yes = Yes
hub-formations-no = No
hub-formations-unknown = Not reported
hub-formations-missing = No report
hub-metric = Metric
hub-map-heading = { $metric } by state, { $period }
hub-map-desc = A map of the United States; each state is shaded by its number, hatched when the number is not shown, dotted when there is none. The table below the map gives every number.
hub-map-legend = Legend
hub-map-class = Shade { $class }: { $low } to { $high }
hub-map-legend-withheld = Hatched: not shown to protect chapter numbers
hub-map-legend-suppressed = Hatched: withheld by the chapter (a small number, or one that would reveal one)
hub-map-no-data = Dotted: no data
hub-map-none = no data
hub-map-unplaced = Each member is placed in the state of their workplace. Not on the map: { $value } with no state (no workplace recorded, or its state unknown). With them, the states add up to the overview's total.
hub-map-table = The map as a table
hub-col-state = State
hub-col-class = Shade

## Enrollment

hub-enrollments-title = Enrollment requests
hub-enrollments-help = Before approving, read both fingerprints aloud with the person who sent the request, by phone or in person. Approve only if both match what they see.
hub-enrollments-none = No requests are waiting.
hub-enroll-invite = Invited as
hub-enroll-their-fingerprint = Their fingerprint
hub-enroll-our-fingerprint = This hub's fingerprint
hub-enroll-requested = Requested
hub-approve = Approve
hub-reject = Reject
hub-notice-approved = Approved: the certificate is signed and waiting for them.
hub-notice-rejected = Rejected.

## Children

hub-children-title = Chapters and regions
hub-children-none = Nobody has enrolled yet.
hub-serial = Certificate serial
hub-enrolled-at = Enrolled
hub-revoke-reason = Reason for revoking
hub-revoke = Revoke
hub-revoke-confirm-title = Revoke a chapter or region?
hub-revoke-confirm = Revoke { $name }? From now on this hub refuses everything it signs, and its certificate goes on the published list of revoked keys. This cannot be undone: coming back means enrolling again with new keys.
hub-revoke-confirm-button = Yes, revoke { $name }
hub-revoke-cancel = No, go back to the list
hub-notice-revoked = Revoked: the new signed revocation list is published.

## Completeness

hub-completeness-title = Reporting completeness
hub-completeness-help = Who reported, period by period. A report is on time when it arrived by the deadline.
hub-completeness-caption = Children by period
hub-completeness-periods = Periods
hub-forward-none = Not sent to the parent hub yet: no rollup of this period has been built.
hub-forward-done = Sent: the parent hub acknowledged revision { $revision } at { $when }.
hub-forward-failed = Not delivered: { $count ->
    [one] one failed attempt
   *[other] { $count } failed attempts
}, the last at { $when }: { $reason }
hub-forward-waiting = Revision { $revision } is built and waiting to be sent to the parent hub.
hub-forward-now = Send to the parent hub now
hub-completeness-summary = { $expected } expected, { $reported } reported ({ $ontime } on time, { $late } late), { $missing } missing
hub-deadline = deadline
hub-on-time = On time
hub-late = Late
hub-missing = Missing
hub-not-expected = Not expected

## Verification

hub-verification-title = Verification
hub-checkpoint = The log's checkpoint
hub-checkpoint-help = Every accepted report and rollup is an entry of this hub's append-only log. Chapters keep their receipts and can check that later checkpoints still contain them.
hub-rollups-built = Rollups built by this hub
hub-rollups-none = No rollup has been built yet.
hub-received = Documents received
hub-col-revision = Revision
hub-col-status = Verification
hub-col-when = When
hub-col-digest = Digest
hub-col-from = From
hub-col-log-index = Log entry
hub-doc-report = Report
hub-doc-rollup = Rollup
hub-verified-on-receipt = Verified on receipt
hub-built-here = Verified inputs; built and signed by this hub
hub-not-verified = Does not verify
hub-superseded = superseded by a newer revision
hub-forwarded-at = forwarded { $time }

## Problems and fixes

err-login = Wrong user name or password.
rec-login = Check both and try again. After five failures you must wait a few minutes.
err-too-many-attempts = Too many failed attempts.
rec-too-many-attempts = Wait a few minutes, then try again.
err-password-weak = This password is too easy to guess.
rec-password-weak = Use a few random words, or leave the password variable unset to get a generated password.
err-password-length = A password needs at least 12 characters and at most 1,024 bytes.
rec-password-length = Choose a password of that length.
err-csrf = This form has expired or did not come from this hub.
rec-csrf = Go back, reload the page and send the form again.
err-form = The form could not be read.
rec-form = Reload the page and try again.
err-admin-only = This page is for admins.
rec-admin-only = Ask an admin of this hub if you need it.
err-internal = The hub failed to show this page.
rec-internal = Try again in a moment; if it keeps failing, the operator can find the cause in the hub's log.
err-not-found = There is no such page.
rec-not-found = Use the menu to find what you are looking for.
err-bad-period = That is not a period.
rec-bad-period = Choose a period from the list (year and month, like 2026-05).
err-bad-metric = That metric cannot be drawn on the map.
rec-bad-metric = Choose a metric from the list.
err-viewer-drilldown = Single chapters are shown to admins only.
rec-viewer-drilldown = Look at the regions and the whole instead.
err-no-such-node = There is nothing at that place for this period.
rec-no-such-node = Go back to the top and choose again.
err-not-published = The figures for this period have not been published yet.
rec-not-published = Choose a period that has been published, or come back after its reporting deadline.
err-no-such-request = There is no such enrollment request.
rec-no-such-request = Reload the list of requests.
err-not-pending = This request was already decided.
rec-not-pending = Reload the list of requests.
err-revoke-reason = A reason is needed (up to 200 characters).
rec-revoke-reason = Write why the certificate is revoked; the reason is published in the revocation list.
err-no-such-child = There is no such chapter or region.
rec-no-such-child = Reload the list.
err-already-revoked = It was already revoked.
rec-already-revoked = Reload the list.
err-no-parent = This hub has no parent hub to send to.
rec-no-parent = Only a regional hub enrolled with the national hub sends its rollups up.

# A period whose reports include one rebuilt after the month closed (a labelled correction).
hub-corrections-intro = * Periods marked with an asterisk include reports a chapter rebuilt after the month closed, with counts taken later. Their totals are not all as of the month's end.
hub-corrections-note = { $period }: { $count ->
    [one] one corrected report
   *[other] { $count } corrected reports
} ({ $names })
hub-correction-one = { $name }, counts as of { $date }

## support requests
hub-nav-support = Support requests
hub-support-title = Support requests
hub-support-help = Chapters ask for organizers with skills, a language or experience in a sector. Relay a request down to the chapters or regions below whose latest reports show matching reserve, or up to national. Those chapters answer the asking chapter directly: this hub never learns who volunteers.
hub-support-show-open = Open
hub-support-show-closed = Closed
hub-support-none = There are no support requests here.
hub-support-origin = Came from
hub-support-origin-own = A chapter of this hub
hub-support-origin-child = Relayed up by { $name }
hub-support-origin-parent = Relayed down by the national hub
hub-support-skills = Skills
hub-support-language = Language
hub-support-sector = Sector
hub-support-created = Asked
hub-support-message = Request
hub-support-relayed = Relayed
hub-support-relayed-count = { $count ->
    [one] to one place
   *[other] to { $count } places
}
hub-support-urgency-low = Low urgency
hub-support-urgency-normal = Normal urgency
hub-support-urgency-urgent = Urgent
hub-support-status-open = Open
hub-support-status-met = Met
hub-support-status-unmet = Unmet
hub-support-dir-auto = Automatically to
hub-support-dir-down = Down to
hub-support-dir-up = Up to
hub-support-relay-down = Relay down to matching chapters and regions
hub-support-relay-up = Relay up to the national hub
hub-support-notice-down = { $count ->
    [0] No other chapter or region below shows matching reserve.
    [one] Relayed to one more chapter or region.
   *[other] Relayed to { $count } more chapters or regions.
}
hub-support-notice-up = Relayed up to the national hub.
err-no-such-support-request = There is no such support request.
rec-no-such-support-request = Reload the list of support requests.
err-support-not-relayable = This request cannot be relayed that way.
rec-support-not-relayable = A closed request is not relayed, a request from the national hub is not sent back up, and only a regional hub approved by national relays up. Reload the list.
err-support-parent = The national hub did not take the request.
rec-support-parent = Try again in a few minutes; if it keeps failing, check this hub's enrollment at national.
## guidance editor
hub-nav-guidance = Guidance
hub-guidance-title = Guidance
hub-guidance-help = The guidance this hub publishes to the chapters and regions below it: trainings, campaign approval criteria with their metrics of success, goals and links, in English and Spanish. Chapters check its signature before showing it.
hub-guidance-current = Published now
hub-guidance-nothing = This hub has published no guidance yet.
hub-guidance-by-own = Published by { $name } (this hub) on { $when }
hub-guidance-by-parent = Published by { $name } on { $when }, relayed unchanged by this hub
hub-guidance-preview-by = Draft of { $name }, not published
hub-guidance-trainings = Trainings
hub-guidance-criteria = Campaign approval criteria
hub-guidance-goals = Goals
hub-guidance-links = Links
hub-guidance-none = None.
hub-guidance-goal = { $name }: { $value } by { $when }
hub-guidance-goal-from = { $name }: { $value } from { $period } through { $when }
hub-guidance-metric-line = { $name }: { $value }
hub-guidance-editor = Edit and publish
hub-guidance-editor-help = The form starts from the guidance published now. Empty rows are left out. Preview checks everything and shows it as chapters will see it; nothing is published until you press Publish, which signs it with this hub's key.
hub-guidance-preview = Preview: what chapters will see
hub-guidance-preview-help = Checked as publishing would check it. Nothing has been signed or published yet.
hub-guidance-preview-relays = Chapters will also see the parent hub's guidance shown above, relayed unchanged.
hub-guidance-do-preview = Preview
hub-guidance-do-publish = Publish
hub-guidance-published = The guidance was signed and published. Chapters receive it when they next check.
hub-guidance-problems = { $n ->
    [one] One field needs a fix; it is marked below. Nothing was published.
   *[other] { $n } fields need a fix; they are marked below. Nothing was published.
}
hub-guidance-refused = The hub refused this guidance. Check every row and try again; nothing was published.
hub-guidance-parent-unreachable = The parent hub's guidance could not be fetched, and a regional hub relays it when it publishes. Nothing was published; try again when the parent hub can be reached.
hub-guidance-code = Code
hub-guidance-title-en = Title (English)
hub-guidance-title-es = Title (Spanish)
hub-guidance-url-en = Material in English (web address)
hub-guidance-url-es = Material in Spanish (web address)
hub-guidance-name-en = Name (English)
hub-guidance-name-es = Name (Spanish)
hub-guidance-metrics = Metrics of success
hub-guidance-target = Target
hub-guidance-metric = Metric
hub-guidance-sector = Sector
hub-guidance-region = Region or state
hub-guidance-by = Date to reach it
hub-guidance-from = Count from (month, optional)
hub-guidance-goals-help = A sector only for a metric published by sector. Coworkers recruited adds up every month from the first month (or the month of publishing) through the date; trainings completed counts how much it grew; other metrics count as of the latest month.
hub-guidance-choose-metric = Choose a metric
hub-guidance-any-sector = Every sector
hub-guidance-whole-area = This hub's whole area
hub-guidance-add-training = Add a training row
hub-guidance-add-criterion = Add a criterion row
hub-guidance-add-metric = Add a metric row
hub-guidance-add-goal = Add a goal row
hub-guidance-add-link = Add a link row
hub-guidance-bad-code = Use 1 to 40 lowercase letters, digits or hyphens (like one-on-ones).
hub-guidance-bad-text = This is needed: up to { $max } characters.
hub-guidance-bad-url = Write a web address that starts with https:// (or http://), without spaces, up to 500 characters.
hub-guidance-bad-number = Write a whole number (0 or more), without commas.
hub-guidance-bad-date = Choose a date in the date field.
hub-guidance-bad-period = Choose a month in the month field, or leave it empty.
hub-guidance-bad-choice = Choose from the list.
hub-guidance-bad-sector = { $name } is not published by sector, so a goal on it cannot name a sector. Choose "Every sector" or another metric.
hub-guidance-bad-region = This hub cannot measure a goal there: choose a state, this hub, or one of its regional hubs.
hub-guidance-bad-window = The count must start no later than the date, and span at most 120 months.
## campaigns (campaign approval)
hub-nav-campaigns = Campaign approval
hub-campaigns-title = Campaign approval
hub-campaigns-help = Chapters submit campaigns against the criteria this hub published. Approve a campaign or send it back with a comment; the hub signs the decision and the chapter sees it on the campaign's page.
hub-campaigns-pending = Waiting for a decision
hub-campaigns-none = No campaign is waiting for a decision.
hub-campaigns-history = Decisions
hub-campaigns-no-history = No decision yet.
hub-campaigns-versions = Criteria versions
hub-campaigns-no-versions = This hub has published no guidance, so there are no criteria to submit against.
hub-campaign-kind = Campaign type
hub-campaign-sector = Target employer's sector
hub-campaign-labor = Labor component
hub-campaign-received = Received
hub-campaign-summary = Summary
hub-campaign-criterion = Criterion
hub-campaign-metric = Metric of success
hub-campaign-target = Target
hub-campaign-submitted-metrics = The chapter's metrics
hub-campaign-comment = Comment to the chapter
hub-campaign-approve = Approve
hub-campaign-return = Send back
hub-campaign-chapter = Chapter
hub-campaign-id = Submission
hub-campaign-outcome = Decision
hub-campaign-decided = Decided
hub-campaign-version = Version
hub-campaign-issued = Published
hub-campaign-criteria = Criteria
hub-campaign-approved = Approved
hub-campaign-returned = Sent back
hub-campaign-yes = Yes
hub-campaign-no = No
hub-campaign-notice-approved = Approved: the signed decision waits for the chapter to fetch it.
hub-campaign-notice-returned = Sent back: the chapter will see your comment.
err-campaign-outcome = That decision is not one this page offers.
rec-campaign-outcome = Use the Approve or Send back button.
err-campaign-comment = Sending a campaign back needs a comment (up to 2,000 characters).
rec-campaign-comment = Write what the chapter should change, then send it back again.
err-no-such-submission = That submission does not exist.
rec-no-such-submission = Reload the list of campaigns.
err-campaign-not-pending = This submission was already decided, or the chapter sent a newer one.
rec-campaign-not-pending = Reload the list of campaigns.
## county map
hub-county-title = County map
hub-county-heading = { $metric } by county, { $period }
hub-county-desc = A map of the counties of the states listed above; each county is shaded by its number of members, hatched when the number is not shown, dotted when there is none. The table beside the map gives every number and its shade in words.
hub-county-pick = States
hub-county-pick-south = The South (Census region)
hub-county-pick-data = Every state with county numbers
hub-county-states = { $count ->
    [one] One state: { $names }
   *[other] { $count } states: { $names }
}
hub-county-no-states = No state has county numbers at this level for this period.
hub-county-class = { $low } to { $high }
hub-county-class-top = { $low } or more
hub-county-unmapped = County { $id } (not on the map)
hub-county-unknown = Members whose county is unknown: { $value }
hub-county-table = The counties as a table
hub-county-col = County
hub-county-to-states = See the map of states
hub-map-to-counties = See members by county
err-bad-states = Those states cannot be drawn.
rec-bad-states = Pick states from the list, or write their two-letter postal codes separated by commas.
hub-county-attribution = Map: us-atlas (ISC licence) by Mike Bostock, from U.S. Census Bureau boundaries.

## Support requests by name (issue 19)
hub-support-unknown-party = A chapter or hub outside this hub's network
