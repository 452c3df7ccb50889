"""Governance, legal and compliance sample texts. All parties and accounts are fictional."""

POLICY_INFO = {
    "Title": "Information Security and Records Retention Policy",
    "Author": "Office of the Chief Information Security Officer",
    "Subject": "Policy ISP-07, version 3.2: classification, access control, retention and disposal",
    "Keywords": "policy; information security; records retention; legal hold; disposal",
    "CreationDate": "D:20240115090000Z",
}


def _sec(num, title, *paras):
    blocks = [("h", "%s. %s" % (num, title))]
    for p in paras:
        if isinstance(p, tuple):
            blocks.append(("li", p[0], p[1]))
        else:
            blocks.append(("p", p))
    return blocks


POLICY = [
    ("title", "Information Security and Records Retention Policy"),
    ("subtitle", "Northbridge Regional Health \u2022 Policy ISP-07 \u2022 Version 3.2 \u2022 "
     "Effective 1 February 2024 \u2022 Owner: Chief Information Security Officer"),
] + _sec("1", "Purpose",
         "This policy sets out how Northbridge Regional Health protects the confidentiality, "
         "integrity and availability of its information, and how long records are kept before "
         "they are securely destroyed. It implements the board's information governance "
         "strategy and supports our legal duties for health and financial records."
) + _sec("2", "Scope",
         "The policy applies to all staff, contractors, students and volunteers, to every "
         "information system operated by or for the organisation, and to records in any format: "
         "paper, scanned images, electronic documents, email, databases and backup media."
) + _sec("3", "Definitions",
         ("3.1", "Record: information created or received in the course of business and kept "
          "as evidence of an activity, in any format."),
         ("3.2", "Retention period: the minimum time a record must be kept, counted from the "
          "trigger event stated in the schedule in section 7."),
         ("3.3", "Legal hold: an instruction from the General Counsel that suspends disposal "
          "of records relevant to actual or anticipated litigation or investigation."),
         ("3.4", "Information asset owner: the senior manager accountable for a system or "
          "collection of records.")
) + _sec("4", "Roles and Responsibilities",
         ("4.1", "The Chief Information Security Officer maintains this policy and reports "
          "security incidents to the board every quarter."),
         ("4.2", "The Records Manager maintains the retention schedule, approves disposal "
          "and keeps the register of destroyed records."),
         ("4.3", "Information asset owners classify their information and review access "
          "rights every six months."),
         ("4.4", "Every member of staff completes security awareness training each year.")
) + _sec("5", "Information Classification",
         "Information is classified as Public, Internal, Confidential or Restricted. Patient "
         "health information and payment card data are always Restricted. Restricted "
         "information is encrypted at rest and in transit, may only be stored on approved "
         "systems, and must never be sent to personal email accounts or consumer cloud services."
) + _sec("6", "Access Control",
         ("6.1", "Access is granted on the principle of least privilege and must be approved "
          "by the information asset owner."),
         ("6.2", "Multi-factor authentication is mandatory for remote access and for all "
          "administrator accounts."),
         ("6.3", "Accounts of leavers are disabled on their last working day; accounts unused "
          "for 90 days are suspended automatically."),
         ("6.4", "Every access to a patient record is logged, and the logs are reviewed for "
          "inappropriate access each month.")
) + _sec("7", "Records Retention Schedule",
         "The minimum retention periods below apply unless a longer period is required by law "
         "or a legal hold is in force. Records must not be kept longer than the period stated "
         "without a documented business reason.",
         ("7.1", "Adult health records: 10 years after the last episode of care."),
         ("7.2", "Health records of children: until the patient's 25th birthday, or 26th if the "
          "patient was 17 at the end of treatment, or 10 years after death."),
         ("7.3", "Financial records, invoices and payment records: 7 years after the end of the "
          "financial year to which they relate."),
         ("7.4", "Contracts: 6 years after the contract ends; contracts executed as deeds: 12 "
          "years."),
         ("7.5", "Email of ordinary business value: 3 years, then deleted automatically."),
         ("7.6", "Security and audit logs: 2 years online and 6 years in the archive."),
         ("7.7", "Paper originals that have been scanned to the approved standard: 90 days "
          "after quality assurance of the scan, then destroyed."),
         ("7.8", "Backup media: 90 days rotation; backups are not an archive.")
) + _sec("8", "Legal Hold",
         "When a legal hold is issued, the Records Manager suspends all disposal of the records "
         "it covers, including the automatic deletion of email and the destruction of scanned "
         "paper originals. A legal hold overrides the retention schedule until it is released "
         "in writing by the General Counsel."
) + _sec("9", "Secure Disposal",
         ("9.1", "Paper records are destroyed by cross-cut shredding or pulping by an approved "
          "contractor, who issues a certificate of destruction."),
         ("9.2", "Electronic media are sanitised following NIST SP 800-88 or physically "
          "destroyed; the serial numbers are entered in the disposal register."),
         ("9.3", "Disposal of Restricted records requires the approval of the Records Manager.")
) + _sec("10", "Incident Reporting",
         "Any suspected security incident, lost device or misdirected email containing "
         "personal data must be reported to the Service Desk immediately and in any case within "
         "24 hours. The Data Protection Officer decides whether the regulator and the people "
         "affected must be notified, within 72 hours of the organisation becoming aware."
) + _sec("11", "Exceptions",
         "Exceptions to this policy must be requested in writing, approved by the Chief "
         "Information Security Officer, recorded in the risk register and reviewed every year."
) + _sec("12", "Review",
         "This policy is reviewed every two years, or earlier after a significant incident or "
         "a change in the law. Breaches of this policy may lead to disciplinary action."
)

CONTRACT_INFO = {
    "Title": "Master Services Agreement - Records Scanning and Storage",
    "Author": "Legal Services, Northbridge Regional Health",
    "Subject": "Agreement with Calder Document Systems Ltd for scanning, indexing and storage",
    "Keywords": "contract; services agreement; termination; confidentiality; service levels",
    "CreationDate": "D:20231120100000Z",
}

CONTRACT = [
    ("title", "Master Services Agreement"),
    ("subtitle", "Contract reference NRH-2023-114 \u2022 Records scanning, indexing and secure "
     "storage services"),
    ("p", "This Agreement is made on 20 November 2023 between Northbridge Regional Health, "
     "1 Infirmary Road, Northbridge (the \u201cClient\u201d) and Calder Document Systems Ltd, "
     "Unit 7, Westgate Business Park, Calder (the \u201cProvider\u201d)."),
] + _sec("1", "Definitions",
         ("1.1", "\u201cServices\u201d means the collection, scanning, indexing, quality "
          "assurance, secure storage and certified destruction of the Client's paper records "
          "described in Schedule 1."),
         ("1.2", "\u201cClient Data\u201d means all records, images, metadata and other "
          "information supplied by or processed for the Client, including personal data and "
          "patient health information."),
         ("1.3", "\u201cMaterial Breach\u201d means a breach that has a serious effect on the "
          "benefit the Client would otherwise receive, including any breach of clause 5 or "
          "clause 6.3.")
) + _sec("2", "Services",
         ("2.1", "The Provider shall scan documents at not less than 300 dots per inch, produce "
          "searchable PDF/A files and index each file with the fields listed in Schedule 2."),
         ("2.2", "The Provider shall collect boxes of records from the Client's sites every "
          "week and return or destroy the paper originals as instructed by the Client.")
) + _sec("3", "Term",
         "This Agreement starts on 1 January 2024 and continues for an initial term of three "
         "years. It renews automatically for successive periods of twelve months unless either "
         "party gives at least six months' written notice before the end of the current term."
) + _sec("4", "Fees and Payment",
         ("4.1", "The Client shall pay the fees in Schedule 3: GBP 0.06 per scanned page and "
          "GBP 2.10 per box per month for storage."),
         ("4.2", "Invoices are payable within 30 days. Undisputed sums that are paid late "
          "carry interest at 4% above the Bank of England base rate.")
) + _sec("5", "Confidentiality and Data Protection",
         ("5.1", "The Provider shall process Client Data only on the Client's documented "
          "instructions and shall not transfer Client Data outside the United Kingdom."),
         ("5.2", "The Provider shall notify the Client of any personal data breach without "
          "undue delay and in any case within 24 hours of becoming aware of it."),
         ("5.3", "All Provider staff with access to Client Data shall be vetted and bound by "
          "written obligations of confidentiality.")
) + _sec("6", "Service Levels",
         ("6.1", "Urgent retrieval requests shall be fulfilled within 4 working hours by "
          "secure electronic delivery."),
         ("6.2", "Scan accuracy shall be at least 99.5% of pages passing quality assurance."),
         ("6.3", "The storage facility shall hold a current ISO/IEC 27001 certificate at all "
          "times.")
) + _sec("7", "Liability",
         "Each party's total liability under this Agreement in any contract year is limited to "
         "125% of the fees paid in that year, except that no limit applies to liability for "
         "breach of clause 5, for death or personal injury caused by negligence, or for fraud."
) + _sec("8", "Termination",
         ("8.1", "Termination for convenience. The Client may terminate this Agreement at any "
          "time by giving the Provider 90 days' written notice."),
         ("8.2", "Termination for breach with notice. If either party commits a Material Breach "
          "that is capable of remedy, the other party may give written notice requiring it to "
          "be remedied; if it is not remedied within 30 days of that notice, the other party may "
          "terminate this Agreement by further written notice."),
         ("8.3", "Termination without notice. The Client may terminate this Agreement with "
          "immediate effect and without notice if the Provider (a) commits a Material Breach "
          "that is not capable of remedy, including any unauthorised disclosure of Client Data "
          "or any transfer of Client Data outside the United Kingdom; (b) loses its ISO/IEC 27001 "
          "certification; or (c) becomes insolvent, enters administration or ceases to carry "
          "on business."),
         ("8.4", "Repeated failure. Three failures to meet the same service level in any "
          "rolling period of six months shall be treated as a Material Breach that is not "
          "capable of remedy.")
) + _sec("9", "Consequences of Termination",
         ("9.1", "On termination the Provider shall, at the Client's choice, return all Client "
          "Data and stored boxes within 30 days or securely destroy them and issue certificates "
          "of destruction."),
         ("9.2", "Clauses 5, 7 and 9 survive termination.")
) + _sec("10", "General",
         "This Agreement is governed by the law of England and Wales. Any change to it must be "
         "in writing and signed by both parties. Notices must be delivered by hand or by "
         "recorded post to the addresses above."
) + [
    ("space", 14),
    ("p", "Signed for Northbridge Regional Health: Margaret Osei, Director of Finance, "
     "20 November 2023."),
    ("p", "Signed for Calder Document Systems Ltd: Daniel Frobisher, Managing Director, "
     "20 November 2023."),
]

EMAIL_INFO = {
    "Title": "Email thread: Urgent wire transfer - Meridian supplier payment",
    "Author": "Compliance export, Northbridge Regional Health",
    "Subject": "Exported email thread about an urgent offshore wire transfer request",
    "Keywords": "email; wire transfer; offshore account; compliance; payment fraud",
    "CreationDate": "D:20240222170500Z",
}


def _mail(sender, to, date, subject, body, cc=None):
    blocks = [("h2", "Subject: " + subject), ("kv", "From:", sender), ("kv", "To:", to)]
    if cc:
        blocks.append(("kv", "Cc:", cc))
    blocks.append(("kv", "Date:", date))
    blocks.append(("space", 4))
    return blocks + [("p", p) for p in body] + [("space", 8)]


EMAIL = [
    ("title", "Email Thread Export"),
    ("subtitle", "Exported by Compliance on 2024-02-22 for case COMP-2024-031. Newest message "
     "last."),
] + _mail("Richard Vance <r.vance@northbridge-health.example>",
          "Accounts Payable <ap@northbridge-health.example>",
          "Mon, 19 Feb 2024 08:47", "Urgent wire transfer today - confidential",
          ["Hi team, I need you to process an urgent wire transfer of USD 248,500.00 today "
           "for the Meridian imaging equipment deposit. The supplier has changed banks and the "
           "payment must now go to their offshore account:",
           "Beneficiary: Meridian Medical Holdings Ltd. Bank: Corvane Trust Bank (Cayman) Ltd, "
           "George Town. Account number 0077-4412-9805. SWIFT code CVTBKYKY.",
           "Please keep this confidential and do not call me, I am in meetings all day. Skip "
           "the usual second approval just this once, I will sign the paperwork on Friday. "
           "Richard"]
) + _mail("Aisha Kamara <a.kamara@northbridge-health.example>",
          "Richard Vance <r.vance@northbridge-health.example>",
          "Mon, 19 Feb 2024 10:15", "RE: Urgent wire transfer today - confidential",
          ["Richard, the bank details you sent do not match the supplier master file: Meridian "
           "is paid in sterling to a UK account at Barclays. Our payments procedure requires a "
           "call-back to the supplier on the number in our file and two approvals for any "
           "change of bank details. I have put the payment on hold until that is done. Aisha "
           "Kamara, Accounts Payable Supervisor"]
) + _mail("Richard Vance <r.vance@northbridge-health.example>",
          "Aisha Kamara <a.kamara@northbridge-health.example>",
          "Mon, 19 Feb 2024 10:31", "RE: RE: Urgent wire transfer today - confidential",
          ["There is no time for a call-back, the deposit expires at 3pm and we will lose the "
           "slot. Send the wire transfer now, I take full responsibility."]
) + _mail("Aisha Kamara <a.kamara@northbridge-health.example>",
          "Compliance <compliance@northbridge-health.example>",
          "Mon, 19 Feb 2024 11:02", "FW: Urgent wire transfer today - confidential",
          ["Forwarding for review. The request came from r.vance@northbridge-health.example "
           "but the reply-to address is r.vance@northbridge-heath.example (note the missing "
           "letter). I called Richard on his mobile: he is on leave and did not send these "
           "messages."],
          cc="Finance Director <m.osei@northbridge-health.example>"
) + _mail("Daniel Price <d.price@northbridge-health.example>",
          "Aisha Kamara <a.kamara@northbridge-health.example>",
          "Thu, 22 Feb 2024 16:58", "RE: FW: Urgent wire transfer today - confidential",
          ["Compliance findings, case COMP-2024-031. This was an attempted business email "
           "compromise. Red flags: an unexpected change of beneficiary to an offshore account in "
           "the Cayman Islands, pressure of urgency and secrecy, a request to bypass dual "
           "approval, and a look-alike reply-to domain. No funds were sent.",
           "Actions: the payment is cancelled; IT has blocked the look-alike domain; the "
           "incident is reported under section 10 of policy ISP-07; the Money Laundering "
           "Reporting Officer will decide whether a suspicious activity report is needed. "
           "Thank you Aisha for following the call-back procedure. Daniel Price, Head of "
           "Compliance"],
          cc="Finance Director <m.osei@northbridge-health.example>"
)

MEETING_NOTES = """\
Records Management Steering Group - meeting notes
Date: 12 March 2024, 14:00-15:10, Room 3.14 and video call
Present: Margaret Osei (chair, Director of Finance), Grace Whitfield (Records Manager),
Daniel Price (Head of Compliance), Tomasz Nowak (IT Infrastructure), Aisha Kamara (Accounts Payable)
Minutes: Grace Whitfield

1. Scanning backlog
   Calder Document Systems collected 412 boxes in February. The backlog of paper health
   records in the basement store is now 1,870 boxes, down from 2,300 in January.
   Quality assurance rejected 0.3% of scanned pages, inside the 99.5% accuracy target.

2. Archivist search pilot
   Tomasz reported that the offline Archivist pilot indexes the scanned records on the
   internal server only; nothing leaves the network. Clinicians in cardiology will trial
   question answering over discharge summaries in April.
   Decision: the pilot may include Restricted records, with access logged per policy ISP-07.

3. Payment fraud attempt (case COMP-2024-031)
   Daniel summarised the attempted offshore wire transfer of USD 248,500 in February.
   The call-back control worked. Finance will repeat payment-fraud training in May.

4. Retention of scanned paper originals
   Agreed to keep destroying paper originals 90 days after scan quality assurance
   (policy section 7.7), except boxes under the legal hold for the Hale litigation.

Actions
   - Grace: update the disposal register and circulate the legal hold box list by 19 March.
   - Tomasz: confirm the audit log retention of 6 years is configured for the pilot.
   - Daniel: report the fraud attempt outcome to the Audit Committee.

Next meeting: 9 April 2024.
"""

PROCEDURE_MD = """\
# Procedure: Preparing Paper Records for Scanning

*Owner: Records Manager - Version 1.4 - Reviewed 5 February 2024*

This procedure tells records staff how to prepare boxes of paper health records before
Calder Document Systems collects them for scanning under contract NRH-2023-114.

## 1. Before you start

- Check the box is not on the **legal hold** list. Boxes under legal hold must not be sent.
- Wear gloves when handling records older than 1990; some use carbon paper.

## 2. Preparing each file

1. Remove staples, paper clips and treasury tags.
2. Unfold folded sheets and repair torn pages with archival tape.
3. Put a barcoded **separator sheet** in front of each patient file. The barcode carries the
   medical record number (for example MRN123) so every scan is indexed to the right patient.
4. Flag pages smaller than A5 or with handwriting in pencil: they are scanned by hand.

## 3. Packing and hand-over

| Step | Who | Record |
|------|-----|--------|
| Count files and pages | Records clerk | Box manifest |
| Seal the box with a tamper-evident tag | Records clerk | Tag number on manifest |
| Hand over to the courier | Records supervisor | Signed collection note |

## 4. After scanning

Check the quality assurance report within 5 working days. Paper originals are destroyed
90 days after quality assurance (policy ISP-07, section 7.7) unless a legal hold applies.
Report lost or damaged boxes to the Service Desk within 24 hours.
"""
