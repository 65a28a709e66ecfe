//! Network building blocks on burn, generic over the backend: the gradient reversal layer,
//! the two heads' losses, and the MLP blocks that make up `G_f`, `G_y` and `G_d`.

pub mod conv;
pub mod grl;
pub mod loss;
pub mod mlp;
