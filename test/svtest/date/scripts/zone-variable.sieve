require ["date", "variables"];

set "zone" "CET";
if date :zone "${zone}" "date" "hour" "09" {
	discard;
}
