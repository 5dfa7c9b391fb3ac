require ["reject", "variables"];
if header :matches "from" "*<*>" {
  set "who" "${2}";
}
reject "Mail from ${who} is not accepted.";
