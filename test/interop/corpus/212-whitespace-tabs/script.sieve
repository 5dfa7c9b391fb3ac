require	"fileinto";
if	true	{	fileinto	"yes";	}
