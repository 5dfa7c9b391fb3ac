require ["extlists", "envelope", "variables", "date", "relational"];

if anyof (address :list "from" "tag:example.com,2010-05-28:friends",
		envelope :list "from" "tag:example.com,2010-05-28:friends",
		header :list :comparator "i;octet" "subject" "tag:example.com,2010-05-28:topics",
		string :list "${x}" "tag:example.com,2010-05-28:words",
		currentdate :list "date" "tag:example.com,2011-01-01:localHolidays",
		exists "X-Never") {
	discard;
}
