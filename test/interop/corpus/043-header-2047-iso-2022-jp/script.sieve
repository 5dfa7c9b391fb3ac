require ["fileinto"];
if header :is "subject" "にほん" {
  fileinto "yes";
} else {
  fileinto "no";
}
