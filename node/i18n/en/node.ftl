# Shopfloor node: the web interface, English.
# Prefixes: ui- the interface, err- a problem, rec- what to do about it. Terms (-name) are not
# translated.

-app = Shopfloor

## Frame

ui-skip-to-content = Skip to content
ui-signed-in-as = Signed in as
ui-nav-account = My account
ui-log-out = Log out
ui-log-in = Log in
ui-language = Language
ui-language-choose = Language of the interface
ui-nav-label = Main menu
ui-footer-privacy = Member data stays on this chapter's server. Only the suppressed monthly report leaves it.
ui-back-to-dashboard = Back to the dashboard
ui-error-title = Something went wrong

ui-nav-dashboard = Dashboard
ui-nav-members = Members
ui-nav-workplaces = Workplaces
ui-nav-pods = Pods
ui-nav-trainings = Trainings
ui-nav-leadership = Leadership
ui-nav-reserve = Reserve
ui-nav-campaigns = Campaigns
ui-nav-recruitment = Recruitment
ui-nav-import = Import
ui-nav-reports = Reports
ui-nav-guidance = Guidance
ui-nav-settings = Settings
ui-nav-audit = Audit log

ui-role-admin = administrator
ui-role-organizer = organizer
ui-role-pod-lead = pod lead
ui-role-viewer = viewer

## Common words

ui-yes = Yes
ui-no = No
ui-save = Save
ui-saved = Saved.
ui-cancel = Cancel
ui-choose = Choose…
ui-unknown = Not known
ui-not-assessed = Not assessed yet
ui-none-yet = Nothing yet.
ui-ongoing = ongoing
ui-primary = main workplace
ui-since = since
ui-required = (required)
ui-languages-hint = (codes or names, separated by commas: es, en, Vietnamese)
ui-notes-hint = (never write coworkers' names here)
ui-form-has-errors = Please correct the following:
ui-pager-label = Pages
ui-pager-prev = Previous
ui-pager-next = Next
ui-pager-page = Page

## Login, logout, account

ui-login-title = Log in
ui-login-help = Forgot your password? Ask an administrator of your chapter to reset it.
ui-field-username = User name
ui-field-password = Password
ui-logged-out = You have logged out.
ui-logout-title = Log out
ui-logout-confirm = Do you want to log out of this device?
ui-account-title = My account
ui-password-title = Change your password
ui-field-current-password = Current password
ui-field-new-password = New password
ui-field-confirm-password = New password, again
ui-password-hint = (at least 12 characters and hard to guess; a few random words work well)
ui-password-save = Change password
ui-password-changed = Your password has been changed.

## Dashboard

ui-dashboard-title = Dashboard · { $period }
ui-dashboard-numbers = The chapter in numbers
ui-stat-members = Members (current)
ui-stat-good-standing = In good standing
ui-stat-workplaces = Workplaces mapped
ui-stat-majority = Workplaces with majority support
ui-stat-mentorships = Active mentorships
ui-stat-reserve = Organizers in the reserve
ui-stat-pods = Labor pods
ui-stat-recruited = Coworkers recruited this month
ui-attention = What needs attention
ui-attention-none = Nothing needs attention right now.
ui-attn-missing = { $n ->
    [one] One member is missing from the latest national list.
   *[other] { $n } members are missing from the latest national list.
}
ui-attn-lapsed = { $n ->
    [one] One member has lapsed: a good moment to call them.
   *[other] { $n } members have lapsed: a good moment to call them.
}
ui-attn-no-workplace = { $n ->
    [one] One current member has no workplace recorded.
   *[other] { $n } current members have no workplace recorded.
}
ui-attn-stalled = { $n ->
    [one] One workplace has not moved up the ladder in 90 days.
   *[other] { $n } workplaces have not moved up the ladder in 90 days.
}
ui-attn-no-sector = { $n ->
    [one] One workplace has no sector.
   *[other] { $n } workplaces have no sector.
}
ui-attn-report-due = The report for { $period } has not been sent yet.
ui-attn-not-enrolled = This node is not enrolled with a hub yet, so reports cannot be sent.
ui-attn-pod-lead-unlinked = { $n ->
    [one] One pod lead account is not linked to a member, so it sees nobody.
   *[other] { $n } pod lead accounts are not linked to a member, so they see nobody.
}
ui-chart-members-by-sector = Members by sector
ui-chart-ladder = Workplaces on the organizing ladder
ui-chart-ladder-caption = { $reached } reached · { $here } here
ui-chart-density = Union density
ui-chart-density-pct = Union density: { $pct } of members whose status is known are in a union
ui-chart-trainings = Trainings completed
ui-chart-recruitment = Coworkers recruited, last 12 months
ui-chart-readiness = Members by leadership readiness
ui-chart-reserve-skills = Reserve organizers by skill
ui-chart-target-actual = Target and actual
ui-chart-empty = No data yet.
ui-chart-as-table = Show the numbers as a table
ui-density-in-union = In a union
ui-density-organizing = Organizing their workplace
ui-density-not-in-union = Not in a union
ui-density-unknown = Not known
ui-col-what = What
ui-col-count = Number

## Members

ui-members-title = Members
ui-members-filters = Search and filter members
ui-members-showing = Showing { $first }–{ $last } of { $total }
ui-members-none = No members match these filters.
ui-member-add = Add a member
ui-filter-search = Name or email
ui-filter-pod = Pod
ui-filter-sector = Sector
ui-filter-stage = Organizing stage
ui-filter-union = Union status
ui-filter-language = Language
ui-filter-status = Membership status
ui-filter-list = On the national list
ui-filter-any = Any
ui-filter-apply = Apply filters
ui-filter-clear = Clear
ui-list-present = On the latest list
ui-list-missing = Missing from the latest list
ui-list-all = Everyone
ui-standing-lapsed = Lapsed
ui-col-name = Name
ui-col-workplace = Workplace
ui-col-sector = Sector
ui-col-stage = Stage
ui-col-union = Union status
ui-col-standing = Membership
ui-col-language = Language

ui-member-edit = Edit union, readiness and languages
ui-member-membership = Membership
ui-member-contact = Contact
ui-member-workplaces = Workplace
ui-member-no-workplace = No workplace recorded yet.
ui-member-union-section = Union
ui-member-leadership = Leadership
ui-member-trainings = Trainings
ui-member-reserve = Organizer reserve
ui-member-history = History
ui-member-standing = Status
ui-member-list-status = National list
ui-member-status-text = Status on the list
ui-member-type = Membership type
ui-member-joined = Joined
ui-member-expires = Expires
ui-member-preferred-language = Preferred language
ui-member-languages = Languages spoken
ui-member-actionkit = ActionKit ID
ui-member-email = Email
ui-member-phone = Phone
ui-member-do-not-call = Do not call
ui-member-no-texts = No text messages
ui-member-city = City
ui-member-union-role = Union status
ui-member-union = Union
ui-member-union-text = Union and local (as written)
ui-member-union-answer = Answer on the national list
ui-member-union-manual = Set by hand
ui-member-union-reset = Go back to what the national list says
ui-member-readiness = Leadership readiness
ui-member-pods = Pods
ui-member-mentorship = Mentorship
ui-member-update = Update this member
ui-member-link-workplace = Add a workplace
ui-member-link-save = Add workplace
ui-member-record-training = Record a training
ui-member-reserve-form = Organizer reserve
ui-member-add-to-pod = Add to a pod
ui-member-pod-lead = Leads this pod
ui-pod-lead = lead
ui-mentor-of = Mentors { $name }
ui-mentee-of = Mentored by { $name }
ui-member-edit-title = Edit: { $name }
ui-member-new-title = Add a member
ui-member-new-lead = For someone who is not on the national list yet. The next import will match them by email.
ui-member-person = The member
ui-member-workplace-section = Where they work
ui-member-new-workplace-hint = Choose a workplace already mapped, or write the employer's name to add a new one.
ui-workplace-none-or-new = None, or a new one (below)
ui-field-first-name = First name
ui-field-last-name = Last name
ui-field-workplace-existing = A workplace already mapped
ui-field-employer-new = Or a new employer
ui-field-employer-new-hint = (leave empty if you chose one above)
ui-field-job-title = Job or role
ui-field-since = Working there since
ui-field-primary = This is their main workplace
ui-field-training = Training
ui-field-completed-on = Completed on
ui-reserve-opt-in = Wants to be in the organizer reserve
ui-reserve-active = In the reserve
ui-reserve-languages = Languages
ui-reserve-skills = Skills
ui-reserve-availability = Availability
ui-reserve-not-opted = Has not joined the reserve.

## Workplaces

ui-workplaces-title = Workplaces
ui-workplaces-filters = Search and filter workplaces
ui-workplaces-none = No workplaces match these filters.
ui-workplace-add = Add a workplace
ui-workplace-new-title = Add a workplace
ui-workplace-edit-title = Edit: { $name }
ui-workplace-edit = Edit workplace
ui-workplace-ladder = Organizing ladder
ui-workplace-current-stage = current stage
ui-workplace-stage-passed = stage passed
ui-workplace-move-to = Move to stage
ui-workplace-move-note = What happened
ui-workplace-move-note-hint = (optional; no coworkers' names)
ui-workplace-move = Move on the ladder
ui-workplace-moved = Moved to { $stage }.
ui-workplace-structure = Structure
ui-workplace-members-here = Members working here
ui-workplace-recruited = Coworkers recruited here
ui-workplace-majority-pct = Supporters: { $pct } of the workforce
ui-workplace-majority-unknown = Majority: enter the workforce size to see the percentage.
ui-workplace-has-majority = Majority support
ui-workplace-counts-only = Only counts are kept about coworkers: never their names.
ui-workplace-counts-hint = Estimates are fine. These numbers give the majority percentage.
ui-workplace-about = About the workplace
ui-workplace-members = Members who work here
ui-workplace-history = Ladder history
ui-workplace-created-at = Mapped at { $stage }
ui-col-majority = Supporters
ui-col-when = When
ui-col-change = Change
ui-col-who = Who
ui-col-note = Note
ui-field-employer = Employer
ui-field-site = Site (store, campus, building…)
ui-field-city = City
ui-field-state = State
ui-field-state-hint = (two letters, like NC)
ui-field-county = County FIPS code
ui-field-county-hint = (five digits, optional)
ui-field-sector = Sector
ui-field-naics = NAICS code
ui-field-naics-hint = (2 to 6 digits, optional)
ui-field-representation = Union representation
ui-field-rep-union = Union
ui-field-rep-local = Local
ui-field-workforce = Workforce (estimate)
ui-field-committee = Organizing committee (people)
ui-field-supporters = Known supporters (people)
ui-field-notes = Notes

## Pods

ui-pods-title = Labor pods
ui-pods-lead = Pods group members by sector so they can support each other's organizing.
ui-pods-none = No pods yet.
ui-pods-leads = Leads
ui-pods-no-lead = No lead yet.
ui-pods-members = Members
ui-pods-member-count = { $n ->
    [one] one member
   *[other] { $n } members
}
ui-pods-new = Create a pod
ui-field-pod-name = Pod name
ui-pods-create = Create pod
ui-pods-add-hint = Add members to a pod from each member's page.

## Trainings

ui-trainings-title = Trainings
ui-trainings-catalog = Training catalog
ui-trainings-none = The catalog is empty. Adopt trainings from the hub's guidance or add your own.
ui-trainings-offered = Offered by the hub
ui-trainings-adopt = Add to our catalog
ui-trainings-add-own = Add our own training
ui-training-from-hub = From the hub
ui-training-ours = Our chapter
ui-field-training-code = Code
ui-field-training-code-hint = (lowercase letters, digits and hyphens; it is reported)
ui-field-title-en = Title in English
ui-field-title-es = Title in Spanish
ui-col-training = Training
ui-col-code = Code
ui-col-source = From
ui-col-completed = Completed

## Leadership

ui-leadership-title = Leadership and mentorship
ui-mentorships = Mentorships
ui-mentorship-start = Start a mentorship
ui-mentorship-hint = Only members with a leadership readiness level appear here: set it on the member's page.
ui-mentorship-end = End
ui-field-mentor = Mentor
ui-field-mentee = Mentee
ui-field-started-on = Started on
ui-col-ended = Ended

## Reserve

ui-reserve-title = Organizer reserve
ui-reserve-lead = Members who volunteered to help other chapters' campaigns. Only counts by language and skill are reported.
ui-reserve-none = Nobody has joined the reserve yet.

## Campaigns

ui-campaigns-title = Campaigns
ui-campaigns-none = No campaigns yet.
ui-campaign-new = Start a campaign
ui-campaign-create = Create campaign
ui-campaign-kind = Type
ui-campaign-status = Status
ui-campaign-approval = Approval
ui-campaign-public = Share with the hubs
ui-campaign-public-badge = shared
ui-campaign-public-hint = Shared campaigns go in the report with their title and success metrics. Never put names in the title.
ui-campaign-priority = Linked to a national priority campaign
ui-campaign-labor = Has a labor component
ui-campaign-metrics = Success metrics
ui-campaign-metrics-none = No success metrics yet.
ui-campaign-progress = { $met } of { $total } met
ui-campaign-met = met
ui-campaign-about = About the campaign
ui-campaign-workplaces = Workplaces
ui-campaign-add-workplace = Add a workplace
ui-campaign-criteria = The hub's approval criteria
ui-campaign-criteria-none = The hub has not published approval criteria yet.
ui-campaign-set-metric = Set a success metric
ui-campaign-metric-hint = (for example, one of the hub's metrics)
ui-campaign-edit = Edit the campaign
ui-campaign-target-of = { $name }: target
ui-campaign-actual-of = { $name }: actual
ui-approval-draft = Draft
ui-approval-submitted = Submitted
ui-approval-approved = Approved
ui-approval-rejected = Not approved
ui-col-title = Title
ui-col-metric = Metric
ui-col-target = Target
ui-col-actual = Actual

## Recruitment

ui-recruitment-title = Recruitment
ui-recruitment-lead = Coworkers who joined the organization, counted by workplace and date. Never their names.
ui-recruitment-record = Record new members from a workplace
ui-recruitment-count = How many joined
ui-recruitment-recent = Recently recorded
ui-col-date = Date
ui-col-period = Month

## Import

ui-import-title = Import the national list
ui-import-upload = Upload a list
ui-import-lead = Upload the membership list from national (CSV). You will see what would change before anything is saved.
ui-import-file = List file
ui-import-file-hint = (CSV, up to 10 MB)
ui-import-format = Kind of list
ui-import-format-national = National's membership list (complete)
ui-import-format-generic = Another member spreadsheet (partial)
ui-import-check = Check the list
ui-import-privacy = The file is checked in memory and is not kept on the server.
ui-import-dry-run = What this import would do
ui-import-dry-run-lead = Nothing has been saved yet. If these numbers look right, confirm.
ui-import-confirm = Confirm the import
ui-import-done = The list has been imported.
ui-import-see-members = See the members
ui-import-rows-read = Rows read
ui-import-created = New members
ui-import-updated = Members updated
ui-import-unchanged = Unchanged
ui-import-returned = Back on the list
ui-import-marked-missing = Marked missing from the list
ui-import-newly-lapsed = Newly lapsed
ui-import-more-problems = { $n ->
    [one] …and 1 more problem, not listed here.
   *[other] …and { $n } more problems, not listed here.
}
ui-import-many-missing = Careful: this list would mark { $n } of the { $total } members on the list as missing. That usually means the file is not national's complete list.
ui-import-confirm-missing = Yes, this is national's complete list: mark { $n } members as missing.
ui-col-line = Line
ui-col-column = Column
ui-col-problem = Problem

## Reports

ui-reports-title = Report · { $period }
ui-report-period = Period
ui-report-preview = Preview
ui-report-what-leaves = Exactly what leaves the chapter
ui-report-what-leaves-lead = This is every number the report sends to the hub, cell by cell. No names, emails, employers or other member data leave the chapter.
ui-report-k-note = Numbers below { $k } are withheld so nobody can be singled out; some others are withheld too so the missing ones cannot be worked out.
ui-report-fewer-than = fewer than { $k }
ui-report-withheld-protect = withheld to protect another cell (may be large)
ui-report-total = Total
ui-report-breakdown = Breakdown
ui-report-value = Value
ui-report-recipient = Sent to
ui-report-revision = Revision
ui-report-k = Smallest number published (k)
ui-report-published = Numbers published
ui-report-withheld = Numbers withheld
ui-report-submit = Send this report to the hub
ui-report-not-enrolled = Reports can be sent once this node is enrolled with a hub.
ui-report-public-campaigns = Shared campaigns
ui-report-no-public-campaigns = No campaign is shared.
ui-report-payload = The exact report, as it will be signed
ui-report-history = Reports sent
ui-report-digest = Fingerprint
ui-report-receipt = logged at position { $index }
ui-report-receipt-col = Hub's receipt
ui-report-no-receipt = no receipt yet
ui-report-outbox = Outbox
ui-report-outbox-empty = The outbox is empty.
ui-report-attempts = Attempts
ui-report-as-of = Counts as of
ui-report-basis-closed = These counts are as of { $when }, when { $period } closed. Sending the report again sends the same counts, even if members have joined or left since.
ui-report-basis-closing = { $period } has ended. Sending this report records today's counts ({ $when }) as the month's close; every later report for { $period } shows those same counts.
ui-report-basis-to-date = { $period } has not ended: these counts are to date, as of { $when }. Send the report after the month ends for its final numbers.
ui-report-basis-correction = This node recorded no counts when { $period } ended, so its report can only be sent as a correction: the counts are today's ({ $when }), not the month's as it stood, and the hub sees the report labelled a correction.
ui-report-submit-correction = Send as a correction
ui-outbox-pending = Waiting to be delivered
ui-outbox-delivered = Delivered
ui-outbox-failed = Refused by the hub

## Guidance

ui-guidance-title = Guidance from the hubs
ui-guidance-none = No guidance has been received yet. It arrives once the node is enrolled with a hub.
ui-guidance-none-enrolled = This node is enrolled with { $name }, which has not published any guidance yet. The node asks for it once a day; it appears here as soon as the hub publishes.
ui-guidance-about = About this guidance
ui-guidance-issuer = Issued by
ui-guidance-issued = Issued
ui-guidance-fetched = Received
ui-guidance-goals = Goals
ui-guidance-scope = For
ui-guidance-by = By
ui-guidance-links = Materials
ui-guidance-from-hub = From { $name }, your hub
ui-guidance-from-parent = From { $name }, relayed by your hub
ui-guidance-parent-unverified = Your hub relays guidance from the national hub, but this node could not verify its signature (no national root card is pinned), so it is not shown. Enroll again with the national root card to see it.
ui-goal-part-intro = This chapter's part counts its own records the way the hubs count the goal; the share is that part as a percentage of the whole target.
ui-goal-how = Counted as
ui-goal-part = This chapter
ui-goal-share-col = Share of the target
ui-goal-share = { $pct }
ui-goal-stock = As it stands now
ui-goal-per-period = Sum of each month, { $first } to { $last }
ui-goal-to-date = Growth from { $first } to { $last }
ui-goal-out-of-scope = Not in this goal's area

## Settings

ui-settings-title = Settings
ui-settings-users = Users and roles
ui-settings-add-user = Add a user
ui-field-role = Role
ui-settings-linked-member = Member number
ui-settings-linked-member-hint = (pod leads only: the number in the address of their member page)
ui-settings-password-hint = (leave empty to generate one)
ui-settings-password-once = New password: give it to the person now, it will not be shown again
ui-settings-disabled = disabled
ui-settings-active = active
ui-settings-disable = Disable
ui-settings-enable = Enable
ui-col-state = State
ui-settings-hub = Hub enrollment
ui-settings-node-id = This node
ui-settings-node-fingerprint = This node's fingerprint
ui-settings-k = Smallest number published (k)
ui-settings-hub-id = Hub
ui-settings-hub-name = Hub name
ui-settings-hub-fingerprint = Hub's fingerprint
ui-settings-enrolled-at = Enrolled
ui-settings-hub-k = k asked by the hub
ui-settings-not-enrolled = This node is not enrolled with a hub yet. Ask your hub for an invitation code.
ui-settings-hub-url = Hub address
ui-settings-invite-code = Invitation code
ui-settings-enroll = Ask to enroll
ui-settings-enroll-started = Enrollment requested
ui-settings-enroll-compare = Read both fingerprints to the hub's administrators by phone or in person; they approve only if theirs match.
ui-settings-backups = Backups
ui-settings-backups-lead = Backups are encrypted. Copy them off this server. To be able to restore after losing the server, make them from the command line with each officer's key:
ui-settings-backup-now = Make a backup now
ui-settings-backup-size = { $kb } KB
ui-settings-facts = Chapter facts
ui-facts-labor-committee = The chapter has a labor committee or working group
ui-facts-clc-delegate = The chapter has a delegate to its Central Labor Council
ui-facts-bylaws = The chapter's bylaws provide for labor work

## Audit log

ui-audit-title = Audit log
ui-audit-lead = Who did what, and when. Entries are never changed or deleted.
ui-col-subject = On
ui-col-detail = Details
ui-action-member-create = Added a member
ui-action-member-edit = Edited a member
ui-action-member-workplace = Linked a workplace
ui-action-member-training = Recorded a training
ui-action-member-reserve = Updated the reserve
ui-action-member-view = Viewed a member
ui-action-members-list = Viewed the member list
ui-action-workplace-create = Added a workplace
ui-action-workplace-edit = Edited a workplace
ui-action-workplace-stage = Moved a workplace on the ladder
ui-action-import = Imported a list
ui-action-login = Logged in
ui-action-logout = Logged out
ui-action-password = Changed a password
ui-action-report-submit = Sent a report
ui-action-pod-create = Created a pod
ui-action-pod-member = Changed a pod
ui-action-mentorship-start = Started a mentorship
ui-action-mentorship-end = Ended a mentorship
ui-action-campaign-create = Started a campaign
ui-action-campaign-edit = Edited a campaign
ui-action-recruitment = Recorded recruitment
ui-action-training-add = Added a training
ui-action-user-add = Changed a user
ui-action-user-disable = Disabled or enabled a user
ui-action-user-unlock = Unlocked a user’s login
ui-action-login-lock = Login locked after failed attempts
ui-action-facts = Changed the chapter facts
ui-action-backup = Made a backup
ui-action-export-members = Exported the member list
ui-action-enroll = Asked to enroll with a hub

## Problems and what to do

err-unauthenticated = You need to log in to see this page.
err-login-failed = The user name or password is not right.
err-forbidden = Your role does not give access to this.
err-csrf = The form expired or did not come from this site.
err-not-found = This page does not exist, or you do not have access to it.
err-bad-request = The request could not be understood.
err-invalid = A value is not valid.
err-conflict = This conflicts with something already saved.
err-exists = That name is already in use.
err-too-large = The file is too large.
err-import-refused = The list was not imported.
err-import-problems = { $n ->
    [one] The list has a problem; nothing was saved.
   *[other] The list has { $n } problems; nothing was saved.
}
err-import-expired = That check has expired. Please upload the list again.
err-import-map-target = { $target } is not a field the list can fill.
err-import-unreadable-header = The first line, with the column names, could not be read. Save the file as CSV and try again.
err-import-empty-file = The file is empty.
err-import-unknown-column = This column is not one we recognize. Give it the name of a member field, or delete it from the file.
err-import-duplicate-column = The column "{ $column }" already fills { $field }.
err-import-missing-column = The required column { $field } is missing.
err-import-no-id-column = The list needs an actionkit_id or an email column.
err-import-unreadable-csv = This line could not be read as CSV. Check its quotation marks.
err-import-column-count = { $found ->
    [one] This line has 1 field
   *[other] This line has { $found } fields
}, but the header has { $expected ->
    [one] 1 column.
   *[other] { $expected } columns.
}
err-import-not-utf8 = This value is not valid UTF-8. Save the file as UTF-8 and upload it again.
err-import-not-boolean = "{ $value }" is not yes or no (use true/false, yes/no or 1/0).
err-import-not-a-date = "{ $value }" is not a date. Write it as YYYY-MM-DD or M/D/YYYY.
err-import-two-digit-year = "{ $value }": write the year with four digits.
err-import-not-a-real-date = "{ $value }" is not a real date.
err-import-year-out-of-range = "{ $value }": the year is out of range.
err-import-not-a-language = "{ $value }" is not a language name or an ISO 639 code (like es).
err-import-no-id-or-email = The row has neither an actionkit_id nor an email.
err-import-duplicate-actionkit-id = The actionkit_id { $id } already appears on line { $line }.
err-import-utf16 = The file is UTF-16 or binary, not UTF-8 text. In your spreadsheet, save it as "CSV UTF-8" and upload it again.
err-import-no-rows = The list has column names but no members. Nothing was changed; check that you chose the right file.
err-import-unconfirmed = This list would mark { $n } of the { $total } members on the list as missing, and that was not confirmed. Nothing was changed. If it is national's complete list, upload it again and tick the confirmation box.
err-text-too-long = This value is too long: it can have at most { $max } characters.
err-text-control-character = This value contains a control character (such as NUL, or a line break where only one line is allowed). Remove it.
err-rate-limited = Too many failed attempts. Wait a few minutes and try again.
err-internal = The server had a problem.
err-password-current = Your current password is not right.
err-password-mismatch = The two new passwords are not the same.

err-field-name = Write a first or last name.
err-field-employer = Write the employer's name.
err-field-county-fips = The county code is five digits and must be in the workplace's state.
err-field-state = Write the state as two letters, like NC.
err-field-sector = Choose a sector from the list.
err-field-naics-code = A NAICS code has 2 to 6 digits.
err-field-representation = Choose the union representation from the list.
err-field-counts = Counts are whole numbers, zero or more.
err-field-stage = Choose a stage from 0 to 5.
err-field-since = Choose a date with the date field.
err-field-date = Choose a date with the date field.
err-field-started-on = Choose the start date with the date field.
err-field-ended-on = The end date must be a date after the start.
err-field-mentee = Choose two different people for a mentorship.
err-field-title = Write a title of 1 to 200 characters.
err-field-kind = Choose a campaign type.
err-field-status = Choose a campaign status.
err-field-approval = Choose an approval state.
err-field-metric = A metric needs a name and whole numbers for its target and actual.
err-field-code = Use 1 to 40 lowercase letters, digits or hyphens, or choose from the list.
err-field-languages = One of the languages is not recognized. Use codes like es or names like Spanish.
err-field-preferred-language = Choose a language from the list.
err-field-readiness = Choose a readiness level from the list.
err-field-union-role = Choose a union status from the list.
err-field-union-code = Choose a union from the list.
err-field-skills = Choose skills from the list.
err-field-count = Write how many, at least 1.
err-field-username = A user name has 1 to 64 letters, digits or . _ - @
err-field-role = Choose a role from the list.
err-field-password = A password needs at least 12 characters and at most 1,024 bytes.
err-field-password-strength = This password is too easy to guess. Use a few random words, or leave the field empty to get a generated one where that is offered.
err-field-email = Write a valid email address, or leave it empty.
err-field-workplace = Choose a workplace, or write the name of a new employer.
err-field-member = That member number does not exist.
err-field-period = Choose a month.
err-field-file = Choose a CSV file to upload.
err-field-enroll = The hub could not be reached, or it did not accept the invitation code.
err-field-pod = Choose a pod.
err-field-submit = The report could not be sent. Check the hub enrollment in Settings.
err-report-closed = { $period } closed without recorded counts, so its report can only be sent as a correction.

rec-log-in = Log in and try again.
rec-ask-admin = If you need it, ask an administrator of your chapter.
rec-reload = Go back, reload the page and try again.
rec-go-back = Go back and check what you entered.
rec-smaller-file = Split the file or remove columns that are not needed.
rec-fix-file = Correct these lines in the file and upload it again.
rec-wait = Wait a few minutes before trying again.
rec-try-later = Try again in a moment. If it keeps happening, tell your chapter's administrator.

ui-support-title = Help between chapters
ui-support-intro = Ask for organizers with a skill or a language. Your hub passes the request on to chapters whose reports show such organizers in their reserve, and they answer you directly at the contact you give. The hub never learns who volunteers.
ui-support-for-you = Requests for your chapter
ui-support-none = No requests for your chapter right now.
ui-support-unreachable = The hub could not be reached, so requests for your chapter cannot be shown right now.
ui-support-reply = Answer at
ui-support-yours = { $n ->
    [0] You have no open requests.
    [one] You have one open request.
   *[other] You have { $n } open requests.
}
ui-support-ask = Ask other chapters for help
ui-support-skill = Skill needed
ui-support-language = Language
ui-support-sector = Sector of the campaign
ui-support-any = Any
ui-support-message = What you need, in a few sentences (never name people)
ui-support-reply-to = How other chapters can reach you (for example a Signal group)
ui-support-send = Send the request
ui-support-sent = { $n ->
    [0] The request was sent, but no chapter's reserve matches it yet.
    [one] The request was sent to one chapter with matching organizers.
   *[other] The request was sent to { $n } chapters with matching organizers.
}
err-support = The request could not be sent. Choose a skill or a language, write what you need and a contact, and check that the hub can be reached.

## support requests as work
ui-support-urgency = How urgent
ui-support-urgency-low = Low urgency
ui-support-urgency-normal = Normal urgency
ui-support-urgency-urgent = Urgent
ui-support-status-open = Open
ui-support-status-met = Met
ui-support-status-unmet = Unmet
ui-support-own = Your requests
ui-support-relayed = { $n ->
    [0] not relayed yet
    [one] relayed to one place
   *[other] relayed to { $n } places
}
ui-support-mark-met = Mark as met
ui-support-mark-unmet = Mark as unmet
ui-support-closed-met = The request is marked met; every hub holding it will show it closed.
ui-support-closed-unmet = The request is marked unmet; every hub holding it will show it closed.
err-support-status = The request could not be marked. Reload the page and check that the hub can be reached.

## campaigns (campaign approval)
ui-campaign-hub-approval = The hub's approval
ui-campaign-no-decision = The hub has not decided on this campaign yet.
ui-decision-approved = Approved by the hub
ui-decision-returned = Sent back by the hub
ui-campaign-decision-older = (about an earlier submission)
ui-campaign-sent = What was sent
ui-campaign-criterion = Criterion
ui-campaign-sector = Target employer's sector
ui-campaign-summary = Summary
ui-campaign-summary-hint = (a few sentences; never names of people)
ui-campaign-submit = Submit for approval
ui-campaign-submit-help = The hub receives the campaign type, the labor component, the success metrics with their targets, the sector and this summary, never the title, workplaces or members. Only the hub's signed decision approves a campaign.
ui-campaign-submit-unavailable = To submit this campaign for approval, the node must be enrolled with a hub that has published approval criteria.
err-field-campaign-submission = The campaign could not be sent for approval. Choose a criterion and a sector, write a summary, give the campaign at least one success metric, and check that the hub can be reached.
ui-action-campaign-submit = Submitted a campaign for approval

## phone: the menu on phones; confirming a jump on the ladder; majority only from the numbers
ui-nav-menu = Menu
ui-stage-confirm-title = Confirm the move on the ladder
ui-stage-confirm-lead = { $name } would move from "{ $first }" to "{ $last }" in one step, skipping the stages in between. Please confirm that this is what happened.
ui-stage-confirm-majority = Stage 3 and above mean a committee with majority support, but this workplace's numbers do not show a majority (workforce: { $total }; supporters: { $n }). It will not count as having majority support until they do: update them with "Edit workplace".
ui-stage-confirm-yes = Yes, move it
ui-workplace-majority-unshown = This workplace is at stage 3 or above, but its numbers do not show a majority, so it does not count as having majority support. Enter the workforce and supporters with "Edit workplace".
ui-attn-majority-unshown = { $n ->
    [one] One workplace is at stage 3 or above without numbers that show a majority; it is not counted as having majority support.
   *[other] { $n } workplaces are at stage 3 or above without numbers that show a majority; they are not counted as having majority support.
}

## Outbox delivery

ui-outbox-detail = Details
ui-outbox-queued-detail = In the outbox since { $first }; attempts so far: { $n }; next try at { $last }.
ui-outbox-last-try-failed = The last try did not go through: { $value }
ui-outbox-delivered-detail = Delivered { $when }. The receipt from { $name } was verified: the report is at position { $index } of its log.
ui-outbox-delivered-no-receipt = Delivered { $when }, but this node keeps no receipt for it.
ui-outbox-failed-detail = Refused { $when }: { $value } It will not be sent again.
ui-outbox-why-unreachable = the hub could not be reached (it may be down, or this node may be offline).
ui-outbox-why-busy = the hub was busy and asked to try again later.
ui-outbox-why-hub-error = the hub had a problem of its own while receiving the report.
ui-outbox-why-bad-receipt = the hub's receipt did not verify, so the report will be sent again; an alarm was raised.
ui-outbox-why-revoked = the hub has revoked this node's enrollment.
ui-outbox-why-stale-revision = the hub already holds a newer revision of this period's report.
ui-outbox-why-broken-chain = the report does not follow the last report the hub accepted from this node.
ui-outbox-why-wrong-recipient = the report was addressed to a different hub.
ui-outbox-why-wrong-period = the hub does not accept a report for this period.
ui-outbox-why-disclosure-violation = the hub found a number in the report that could single someone out.
ui-outbox-why-unknown-signer = the hub does not recognize this node's key; enroll the node again.
ui-outbox-why-other = the hub refused the report; an administrator can see its reason with “shopfloor-node outbox list”.
ui-report-state-queued = The report for { $period } (revision { $n }) is waiting in the outbox. { $value }
ui-report-state-delivered = The report for { $period } (revision { $n }) has reached the hub. { $value }
ui-report-state-failed = The hub refused the report for { $period } (revision { $n }): { $value }

## Manual members

ui-list-by-hand = Not on the national list yet (added by hand; the next import will match them by email)
ui-field-member-city = City where they live
ui-field-workplace-city = City of the workplace

## self-report

ui-sr-form-title = Where do you work?
ui-sr-hello = Hello, { $name }.
ui-sr-why = Your chapter wants to know where its members work, so members at the same workplace or in the same industry can find each other and organize. It takes two minutes. Answer only what you want to; every question may be left empty.
ui-sr-who-sees = Only this chapter's organizers see your answers. Nothing about you leaves this chapter's server: the chapter sends only counts, never names or answers.
ui-sr-check = Check your answers, pick your county and your industry, then send.
ui-sr-where = Your workplace
ui-sr-site = Site name
ui-sr-site-hint = (store, campus, building…)
ui-sr-county = County
ui-sr-pick = Choose…
ui-sr-industry-legend = Your work
ui-sr-industry = What do you do, or what kind of place is it?
ui-sr-industry-hint = (a few words, e.g. “nurse”, “warehouse”, “school”)
ui-sr-industry-found = These industries match your words; choose one:
ui-sr-industry-other = Or choose another industry
ui-sr-industry-pick = Choose an industry
ui-sr-job-title = Job title
ui-sr-union-status = Union at your job
ui-sr-union-name = Union name
ui-sr-union-local = Local (number or name)
ui-sr-interest = Interest in organizing at your workplace
ui-sr-interest-none = Not now
ui-sr-interest-curious = Curious, I would like to know more
ui-sr-interest-ready = Ready to get involved
ui-sr-languages = Languages you speak
ui-sr-consent = An organizer of this chapter may contact me about organizing at my workplace.
ui-sr-consent-short = May be contacted
ui-sr-next = Continue
ui-sr-send = Send my answers
ui-sr-done-title = Thank you
ui-sr-done-text = Your answers were received. An organizer of your chapter will review them before anything is recorded. This link cannot be used again.
ui-sr-closed-title = This link cannot be used
ui-sr-closed-text = This link cannot be used. It may have expired, already been used, or been copied incompletely.
ui-sr-closed-fix = If you want to answer, ask the organizer who sent it for a new link.
ui-sr-admin-title = Where members work
ui-sr-admin-lead = Make a personal link for each member, to send with the chapter's own email or texting tool: the node sends nothing. A link opens a short form (no login) that shows only the member's first name; it works once and expires. Answers wait for an organizer's review.
ui-sr-progress = Progress
ui-sr-mapped = Current members with a workplace recorded
ui-sr-mapped-value = { $pct } ({ $n } of { $total })
ui-sr-sent = Links made
ui-sr-opened = Links opened
ui-sr-answered = Links answered
ui-sr-accepted = Answers accepted
ui-sr-review-link = { $n ->
    [one] One answer waits for review
   *[other] { $n } answers wait for review
}
ui-sr-make = Make links
ui-sr-make-help = The download is a CSV file with member id, email, first name and link, for a mail merge. Keep it private: each link lets anyone who has it answer for that member once.
ui-sr-who = For whom
ui-sr-who-unmapped = Current members with no workplace recorded
ui-sr-who-all = All current members
ui-sr-who-pod = The members of a pod
ui-sr-pod = Pod
ui-sr-days = Days the links last
ui-sr-download = Make links and download the CSV
ui-sr-unmapped = { $n ->
    [one] One current member has no workplace recorded
   *[other] { $n } current members have no workplace recorded
}
ui-sr-unmapped-none = Every current member has a workplace recorded.
ui-sr-review-title = Answers to review
ui-sr-review-lead = Members' answers change nothing until an organizer accepts them. Accepting links the member to the workplace you choose (or a new one), fills in the workplace's unknown sector, county and state, and records the member's union status and languages.
ui-sr-review-empty = No answers wait for review.
ui-sr-review-where = Record at
ui-sr-link-existing = The existing workplace { $name } ({ $value })
ui-sr-create-workplace = A new workplace from these answers
ui-sr-accept = Accept
ui-sr-discard = Discard
ui-sr-dashboard = Where members work
ui-sr-dashboard-link = Make self-report links and see who is unmapped
ui-action-selfreport-links = Made self-report links
ui-action-selfreport-accept = Accepted a self-report answer
ui-action-selfreport-discard = Discarded a self-report answer
ui-sr-who-filter = { $n ->
    [one] The one member matching the Members page's filter
   *[other] The { $n } members matching the Members page's filter
}
ui-sr-from-members = Self-report links for these members

## National list words (membership type and status as the list writes them)
ui-list-type-monthly = Monthly
ui-list-type-yearly = Yearly
ui-list-type-annual = Annual
ui-list-type-one-time = One-time payment
ui-list-type-income-based = Income-based
ui-list-type-lifetime = Lifetime
ui-list-status-good-standing = Member in good standing
ui-list-status-member = Member
ui-list-status-lapsed = Lapsed

## Import column mapping (issue 19, item 8)
ui-import-map-title = Map the columns we do not recognize
ui-import-map-lead = For each column below, choose the member field it fills, or ignore it (it is then not imported). The list is checked again with your choices; nothing is saved until you confirm.
ui-import-map-column = Column
ui-import-map-choose = Choose a field…
ui-import-map-apply = Check the list with these choices
err-import-unknown-column-map = This column is not one we recognize. Choose below the member field it fills, or ignore it.
ui-import-missing-large = Careful: this list marks { $n } of the { $total } members on the list as missing. Check that it is national's complete, current list before you confirm.
ui-import-missing-large-done = { $n } of the { $total } members on the list were marked missing. If this was not national's complete list, import the complete list: members on it are put back on the list.
ui-import-field-actionkit-id = ActionKit ID
ui-import-field-first-name = First name
ui-import-field-middle-name = Middle name
ui-import-field-last-name = Last name
ui-import-field-email = Email
ui-import-field-mobile-phone = Mobile phone
ui-import-field-home-phone = Home phone
ui-import-field-work-phone = Work phone
ui-import-field-best-phone = Best phone
ui-import-field-do-not-call = Do not call (yes/no)
ui-import-field-p2ptext-optout = No text messages (yes/no)
ui-import-field-join-date = Join date
ui-import-field-xdate = Membership expiry date
ui-import-field-membership-status = Membership status
ui-import-field-membership-type = Membership type
ui-import-field-monthly-dues-status = Monthly dues status
ui-import-field-yearly-dues-status = Yearly dues status
ui-import-field-union-member = Union member (yes/no)
ui-import-field-union-name = Union name
ui-import-field-union-local = Union local
ui-import-field-city = City
ui-import-field-state = State
ui-import-field-zip = ZIP code
ui-import-field-preferred-language = Preferred language
ui-import-field-ignore = Ignore this column (do not import it)
ui-import-field-employer = Employer (goes to the answers to review)
ui-import-field-work-city = Work city (goes to the answers to review)
ui-import-field-work-county = Work county, 5-digit FIPS code (goes to the answers to review)
ui-import-field-work-state = Work state (goes to the answers to review)
ui-import-field-industry = Industry (goes to the answers to review)
ui-import-field-job-title = Job title (goes to the answers to review)

## Encrypted withheld cells
ui-report-encrypted-note = Withheld numbers also travel encrypted to the federation's joint key (fingerprint { $id }). No single server can read them: only sums over several chapters can be decrypted, by several trustees together.

## Numbers and dates (locale)
ui-report-recipient-unenrolled = No hub yet: this node is not enrolled

## Periods as months, outbox attempts (issue 19)
ui-outbox-what = { $period } · revision { $n }
ui-outbox-attempts = Delivery attempts
ui-outbox-attempts-count = { $n ->
    [0] Not tried yet
    [one] { $n } attempt
   *[other] { $n } attempts
}
ui-guidance-none-enrolled-since = This node has been enrolled with { $name } since { $when }, and { $name } has not published any guidance yet. The node asks for it once a day; it appears here as soon as the hub publishes.

## Guidance: when the node last asked
ui-guidance-none-enrolled-checked = This node has been enrolled with { $name } since { $when }. It last asked { $name } for guidance on { $checked }, and nothing had been published yet. The node asks once a day; guidance appears here as soon as the hub publishes it.
