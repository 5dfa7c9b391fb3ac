require "variables";
set "a" "0123456789";
if string :is "${a}" "0123456789" { redirect "long@example.net"; }
