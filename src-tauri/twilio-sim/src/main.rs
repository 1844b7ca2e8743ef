//! Placeholder until the simulator is built out.
fn main() {
    println!("twilio-sim: not built yet");
}
