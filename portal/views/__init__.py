"""Public HTTP views of the portal: thin, over the domain apps' services."""
