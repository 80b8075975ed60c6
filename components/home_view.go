package components

// HomeView is the home page.
type HomeView struct {
	Page
	Templates []TemplateView
	Drafts    []DraftRow // this browser's drafts that match Filter, latest change first
	Total     int        // this browser's drafts before filtering
	Filter    string     // the filter as typed
	Notice    *DraftNotice
	Explain   ExplainView
}

// TemplateView is one starting point, with the name its draft will get.
type TemplateView struct {
	ID          string
	Title       string
	Cron        string // empty for a manual trigger
	Description string
	Name        string   // suggested, or as typed
	Errors      []string // why Name was refused
}

// DraftRow is one draft this browser created or opened.
type DraftRow struct {
	ID         string
	Name       string
	Cron       string // empty for a manual trigger
	Schedule   string // the schedule in words
	Changed    string // the last change, relative ("5 minutes ago")
	ChangedAt  string // the last change in the viewer's zone
	ChangedISO string // the last change, RFC 3339, for <time>
	Search     string // what the live filter matches, lower case
}

// DraftNotice reports what a delete or an undo just did.
type DraftNotice struct {
	Deleted  bool // deleted (undo offered) rather than restored
	ID, Name string
	Until    string // until when undo works, in the viewer's zone
	UntilIn  string // the same, relative ("in 30 days")
	UntilISO string
}
