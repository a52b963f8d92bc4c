// placeholder removed below
