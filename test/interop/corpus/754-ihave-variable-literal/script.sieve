require ["ihave", "variables"];
set "c" "fileinto";
if ihave "${c}" {
  discard;
}
