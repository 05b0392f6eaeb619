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
hub-nav-label = Sections
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
hub-viewer-rule = You see a number only when at least 3 chapters contribute to it and no single chapter makes up 80% or more of it. Other numbers read “not shown: fewer than 3 chapters”.
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
hub-goal-progress = { $value } of { $target } ({ $percent }%) by { $date }
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
hub-suppressed = withheld by the chapter
hub-withheld = not shown: fewer than 3 chapters

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
hub-csv-status-withheld = not shown: fewer than 3 chapters
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
hub-map-legend-withheld = Hatched: not shown (fewer than 3 chapters)
hub-map-no-data = Dotted: no data
hub-map-none = no data
hub-map-table = The map as a table
hub-col-state = State
hub-col-class = Shade

## Enrollment

hub-enrollments-title = Enrollment requests
hub-enrollments-help = Before approving, read both fingerprints aloud with the person who sent the request, by phone or in person. Approve only if both match what they see.
hub-enrollments-none = No requests are waiting.
hub-enroll-invite = Invited as
hub-enroll-party = Id
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
hub-revoke-confirm = Revoke { $name } ({ $id })? From now on this hub refuses everything it signs, and its certificate goes on the published list of revoked keys. This cannot be undone: coming back means enrolling again with new keys.
hub-revoke-confirm-button = Yes, revoke { $name }
hub-revoke-cancel = No, go back to the list
hub-notice-revoked = Revoked: the new signed revocation list is published.

## Completeness

hub-completeness-title = Reporting completeness
hub-completeness-help = Who reported, period by period. A report is on time when it arrived by the deadline.
hub-completeness-caption = Children by period
hub-completeness-periods = Periods
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

# A period whose reports include one rebuilt after the month closed (a labelled correction).
hub-corrections-intro = * Periods marked with an asterisk include reports a chapter rebuilt after the month closed, with counts taken later. Their totals are not all as of the month's end.
hub-corrections-note = { $period }: { $count ->
    [one] one corrected report
   *[other] { $count } corrected reports
} ({ $names })
hub-correction-one = { $name }, counts as of { $date }

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
